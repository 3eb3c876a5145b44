/**
 * A fault window of an outage: the simulator's fault `kind` at `rate` for `ms`; with `count`, on until that many
 * requests were hit (at most `maxMs`).
 */
export interface OutageWindow {
  kind: '503' | 'reset' | 'drop-after-accept';
  rate: number;
  ms: number;
  retryAfterSeconds?: number;
  count?: number;
  maxMs?: number;
}

/** One event of a chaos run, fired once `at` (a share of the rows) have a result line. */
export type ChaosEvent =
  | { at: number; kind: 'kill-worker' }
  | { at: number; kind: 'restart-server'; downMs: number }
  | { at: number; kind: 'outage'; windows: OutageWindow[] };

export interface ChaosScenario {
  name: string;
  rows: number;
  seed: number;
  concurrency: number;
  runDurationMs: { min: number; max: number };
  outputsPerRun: number;
  events: ChaosEvent[];
  timeoutMs: number;
  /** `durabatch run --on-ambiguous-submit`; default: the CLI's own (hold). */
  onAmbiguousSubmit?: 'hold' | 'resubmit';
}

export function fullScenario(opts?: { rows?: number; seed?: number }): ChaosScenario;
export function smallScenario(opts?: { rows?: number; seed?: number }): ChaosScenario;
export function rowInputs(i: number): { Prompt: string; Style: string };
export function rowKey(i: number): string;
