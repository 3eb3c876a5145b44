import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../shared/failures.js';
import type { FinalItemStatus } from '../shared/status.js';
import type { OutputRecord, ResultError } from '../shared/results-format.js';
import type { RunSnapshotLite } from '../activities/contracts.js';

/** How a row ended, before it is recorded. Pure helpers of itemWorkflow (deterministic). */
export interface Outcome {
  status: FinalItemStatus;
  runId: string | null;
  error: ResultError | null;
  outputs: OutputRecord[];
  records: unknown[] | null;
}

/** The row state for a run's final snapshot. */
export function statusOf(snapshot: RunSnapshotLite): FinalItemStatus {
  switch (snapshot.state) {
    case 'succeeded':
      return 'succeeded';
    case 'partial':
      return 'partial';
    case 'cancelled':
      return 'cancelled';
    case 'needs_input':
      return 'needs_input';
    default:
      return 'failed';
  }
}

/** The row state and error for an activity failure (cancellation is rethrown). */
export function failedOutcome(err: unknown, runId: string | null): Outcome {
  if (isCancellation(err)) throw err;
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const code = cause.type ?? 'Failed';
    const status: FinalItemStatus = code === FAILURE_TYPES.submitAmbiguous ? 'submit_unknown' : 'failed';
    return { status, runId, error: { code, message: cause.message }, outputs: [], records: null };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = err instanceof ActivityFailure && cause instanceof Error ? cause.name : 'Failed';
  return { status: 'failed', runId, error: { code, message }, outputs: [], records: null };
}

export function cancelledError(): ResultError {
  return { code: 'CANCELLED', message: 'the batch was cancelled before this row finished' };
}

/** A cancelled row whose run could not be cancelled or read at the provider: where to look, and why. */
export function cancelUnconfirmedError(err: unknown, runId: string): ResultError {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const why = cause instanceof Error ? cause.message : String(cause);
  return {
    code: 'CANCELLED',
    message:
      `the batch was cancelled before this row finished, but the provider did not confirm the cancel of run ` +
      `${runId} (${why}): check that run at the provider, it may still finish and be charged`,
  };
}
