import { artuFileOutputs } from './files.js';
import type { ArtuExecution, ArtuRunStatus } from './schemas.js';
import { ARTU_TERMINAL_STATUSES } from './schemas.js';
import type { RunSnapshot, RunState } from '../types.js';

/** Artu's status words onto durabatch's run states; `waiting_for_input` needs a person and is not an end. */
const STATES: Readonly<Record<ArtuRunStatus, RunState>> = {
  queued: 'queued',
  running: 'running',
  waiting_for_input: 'needs_input',
  completed: 'succeeded',
  errored: 'failed',
  timed_out: 'failed',
  abandoned: 'failed',
  cancelled: 'cancelled',
};

/**
 * Maps an Artu execution (get, wait, or a trigger that already carries a status) onto a RunSnapshot. `terminal`
 * comes from the status alone, never from files being present. Files with a URL become outputs; producedRecords
 * are kept verbatim as `records`. The provider's `error` text is kept; a failure without one says how it ended.
 */
export function toArtuSnapshot(exec: ArtuExecution): RunSnapshot {
  const state = STATES[exec.status];
  const error = exec.error?.trim() ? exec.error : null;
  return {
    runId: exec.id,
    providerStatus: exec.status,
    state,
    terminal: ARTU_TERMINAL_STATUSES.includes(exec.status),
    outputs: artuFileOutputs(exec.producedFiles),
    errorMessage: error === null && state === 'failed' ? `the execution ended as ${exec.status}` : error,
    progress: null,
    records: exec.producedRecords ?? null,
    createdAt: exec.createdAt ?? null,
    completedAt: exec.completedAt ?? null,
  };
}
