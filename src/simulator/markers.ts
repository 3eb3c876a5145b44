import type { SimulatorSettings } from './config.js';
import type { Random } from './prng.js';

/**
 * Markers that a test writes into any string input to force what a run does, whatever the settings draw. They
 * work for every provider where they make sense; `[sim:duration=N]` and `[sim:fail]` work everywhere.
 */
/** The run fails: Lamina 'failed', Artu 'errored', Magnific 'failed'. */
export const FAIL_MARKER = '[sim:fail]';
/** Artu: the trigger answers only once the run has ended (status 'completed' with its outputs). */
export const SYNC_MARKER = '[sim:sync]';
/** Artu: the execution stops at 'waiting_for_input' instead of completing. */
export const INPUT_MARKER = '[sim:input]';
/** Magnific: the run ends 'completed_with_errors' with some of its assets. */
export const PARTIAL_MARKER = '[sim:partial]';
/** `[sim:duration=1234]`: the run takes this many milliseconds. */
export const DURATION_MARKER = /\[sim:duration=(\d{1,9})\]/;

/** Error message of runs that the simulator fails. */
export const SIMULATED_FAILURE_MESSAGE = 'Simulated generation failure';

/** Every string among the input values (nested objects are not searched). */
export function stringInputs(inputs: Record<string, unknown>): string[] {
  return Object.values(inputs).filter((v): v is string => typeof v === 'string');
}

/** True when some string input carries `marker`. */
export function hasMarker(inputs: Record<string, unknown>, marker: string): boolean {
  return stringInputs(inputs).some((text) => text.includes(marker));
}

/** The duration set by a `[sim:duration=N]` marker, or one drawn from the settings. */
export function runDuration(inputs: Record<string, unknown>, settings: SimulatorSettings, random: Random): number {
  const marked = stringInputs(inputs)
    .map((t) => DURATION_MARKER.exec(t)?.[1])
    .find((m) => m !== undefined);
  if (marked !== undefined) return Number(marked);
  const d = settings.runDurationMs;
  return typeof d === 'number' ? d : Math.round(d.min + random() * (d.max - d.min));
}
