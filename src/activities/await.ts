import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES } from '../shared/failures.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { AwaitRunInput, CancelRunInput, ItemSettings, RunSnapshotLite } from '../shared/types.js';
import { liteSnapshot, type ActivityDeps } from './deps.js';
import { toActivityFailure } from './failures.js';
import { cancellationSignal, withHeartbeat } from './heartbeat.js';

/** Pause between one long-poll that came back unfinished and the next. */
const REWAIT_DELAY_MS = 200;

/** Long-polls follow each other closely; polled providers are read at their own pace or the user's slower one. */
export function nextReadDelayMs(
  adapter: Pick<ProviderAdapter, 'waitMode' | 'pollIntervalMs'>,
  settings: ItemSettings,
): number {
  if (adapter.waitMode !== 'poll') return REWAIT_DELAY_MS;
  return Math.max(adapter.pollIntervalMs ?? 4_000, settings.pollIntervalMs ?? 0);
}

export function createAwaitActivities(deps: ActivityDeps) {
  /**
   * One long-poll on the provider's wait endpoint (or one status read, for providers that are polled),
   * heartbeating while it is open. A run that is not finished yet fails the attempt with `RunNotFinished` and the
   * delay before the next read, so Temporal's retry is the loop and waiting costs no history.
   */
  async function awaitRun(input: AwaitRunInput): Promise<RunSnapshotLite> {
    const adapter = deps.adapterFor(input.settings.provider);
    let snapshot;
    try {
      snapshot = await withHeartbeat(
        () =>
          adapter.waitRun(input.runId, { timeoutSeconds: input.settings.waitSeconds, signal: cancellationSignal() }),
        5_000,
      );
    } catch (err) {
      throw toActivityFailure(err, deps.secrets);
    }
    if (snapshot.terminal || (snapshot.state === 'needs_input' && input.returnOnNeedsInput))
      return liteSnapshot(snapshot);
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.runNotFinished,
      message: `run ${input.runId} is still ${snapshot.providerStatus}`,
      nextRetryDelay: `${nextReadDelayMs(adapter, input.settings)}ms`,
    });
  }

  /** Asks the provider to cancel a run, where it can; a provider without cancel is a no-op. */
  async function cancelRun(input: CancelRunInput): Promise<void> {
    const adapter = deps.adapterFor(input.settings.provider);
    if (!adapter.cancelRun) return;
    try {
      await adapter.cancelRun(input.runId, { signal: cancellationSignal() });
    } catch (err) {
      throw toActivityFailure(err, deps.secrets);
    }
  }

  return { awaitRun, cancelRun };
}
