import type { ActivityDeps } from './deps.js';
import { liteSnapshot } from './deps.js';
import type { CancelRunInput, RunSnapshotLite } from './contracts.js';
import { toActivityFailure } from './failures.js';
import { cancellationSignal } from './heartbeat.js';

/**
 * Asks the provider to cancel a run, where it can (a provider without cancel is left alone), then reads the run
 * back. The row records what that read says: a run that finished before the cancel reached it is paid for, so the
 * row keeps its outputs instead of claiming a cancel that never happened.
 */
export function createCancelRun(deps: ActivityDeps) {
  return async function cancelRun(input: CancelRunInput): Promise<RunSnapshotLite> {
    const adapter = deps.adapterFor(input.settings.provider);
    const signal = cancellationSignal();
    try {
      if (adapter.cancelRun) await adapter.cancelRun(input.runId, { signal });
      return liteSnapshot(await adapter.getRun(input.runId, { signal }));
    } catch (err) {
      throw toActivityFailure(err, deps.secrets);
    }
  };
}
