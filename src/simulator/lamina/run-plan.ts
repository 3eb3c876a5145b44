import { createHash } from 'node:crypto';
import type { SimulatorSettings } from '../config.js';
import { chance } from '../prng.js';
import type { Random } from '../prng.js';
import { FAIL_MARKER, hasMarker, runDuration } from '../markers.js';
import type { LaminaAppDefinition } from '../types.js';

// The markers are shared by every provider; these names stay exported from here for existing importers.
export { FAIL_MARKER, SIMULATED_FAILURE_MESSAGE } from '../markers.js';

/** One output slot of a run, fixed when the run is created. */
export interface OutputSlot {
  id: string;
  label: string;
  type: 'image' | 'video' | 'audio' | 'text';
}

/** How a new run will behave. */
export interface RunPlan {
  durationMs: number;
  queuedMs: number;
  willFail: boolean;
  outputs: OutputSlot[];
}

function hashHex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A stable UUID-shaped id for the workflow behind an app (the same app always runs the same workflow). */
export function workflowIdFor(appId: string): string {
  const h = hashHex(`workflow:${appId}`);
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The output slots of a run: the app's declared outputs, or `outputsPerRun` slots cycling through them. */
export function outputSlots(app: LaminaAppDefinition, outputsPerRun: number | undefined): OutputSlot[] {
  const declared = app.outputs.length > 0 ? app.outputs : [{ label: 'Image', type: 'image' as const }];
  const count = outputsPerRun ?? declared.length;
  return Array.from({ length: count }, (_, i) => {
    const decl = declared[i % declared.length] ?? { label: 'Image', type: 'image' as const };
    return { id: `${decl.type}Node-${hashHex(`${app.appId}:${i}`).slice(0, 12)}`, label: decl.label, type: decl.type };
  });
}

/**
 * Decides duration, failure and outputs of a new run. Markers in any string input win over the settings:
 * `[sim:fail]` fails the run, `[sim:duration=1234]` sets its duration in ms. Otherwise the PRNG draws both.
 */
export function planRun(
  app: LaminaAppDefinition,
  inputs: Record<string, unknown>,
  settings: SimulatorSettings,
  random: Random,
): RunPlan {
  const durationMs = runDuration(inputs, settings, random);
  const willFail = hasMarker(inputs, FAIL_MARKER) || chance(random, settings.failureRate);
  return {
    durationMs,
    queuedMs: Math.round(durationMs * settings.queuedShare),
    willFail,
    outputs: outputSlots(app, settings.outputsPerRun),
  };
}
