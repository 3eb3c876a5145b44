import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { stopSignal } from '../shared/messages.js';
import {
  folderIn,
  fireBatchId,
  isManifestUrl,
  SCHEDULE_FAILURE_TYPES,
  type ScheduledBatchInput,
} from '../shared/schedule.js';
import { BATCH_ID_KEY, PROVIDER_KEY } from '../shared/search-attributes.js';
import { batchMemo } from '../shared/batch-memo.js';
import { scheduledInputOf, type LegacyScheduledInput } from '../shared/legacy-inputs.js';
import type { BatchWorkflowInput, BatchWorkflowOutput } from '../shared/batch-contract.js';
import { batchWorkflow } from './batch.js';

type Activities = ReturnType<typeof createActivities>;

const { fetchManifest } = proxyActivities<Activities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '60s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 6 },
});

/**
 * One fire of a durabatch schedule. A schedule's action has fixed arguments, so this small workflow gives each fire a
 * batch of its own: it derives the batch id from its workflow id (`schedule-<name>-<time>` → `<name>-<time>`),
 * fetches the manifest when it is a URL (so every fire reads it as it is then), and runs the ordinary batchWorkflow
 * as a child with that id. It returns the batch's result, and fails (type BatchFailures, the result in the details)
 * when `durabatch run` would exit 1: failures over --max-failures (any failure without it) or a stopped batch; that
 * failure is what --pause-on-failure reacts to. Cancelling a fire (--overlap cancel-other) stops its batch the way
 * `durabatch cancel` does and waits for its results before ending as cancelled.
 */
export async function scheduledBatchWorkflow(
  raw: ScheduledBatchInput | LegacyScheduledInput,
): Promise<BatchWorkflowOutput> {
  const input = scheduledInputOf(raw);
  const { settings, source } = input;
  const batchId = fireBatchId(input.schedule, workflowInfo().workflowId);
  const storage = folderIn(input.dataRoot, batchId);
  setCurrentDetails(`Batch ${batchId}: reading ${source.name}`);
  // Every fire copies its manifest into its batch's storage: workers read that copy, on whichever host. Fires of
  // 0.1 read a path manifest where it was (the patch keeps their histories replaying).
  const key = `source/${source.name}`;
  const copied = isManifestUrl(source.location) || patched('fire-copies-manifest');
  if (copied) {
    await fetchManifest({ source: source.location, storage, key }).catch((err: unknown) => {
      throw fetchFailure(err);
    });
  }
  const { outDir } = settings.tuning;
  const batch: BatchWorkflowInput = {
    ...settings,
    // Every fire copies its results into a folder of its own under --out.
    ...(outDir ? { tuning: { ...settings.tuning, outDir: folderIn(outDir, batchId) } } : {}),
    batchId,
    source: { ...source, ...(copied ? { key } : {}) },
    storage,
  };
  setCurrentDetails(`Batch ${batchId}: running ${source.name}`);
  const result = await runBatch(batch, input.schedule);
  setCurrentDetails(`Batch ${batchId}: ${JSON.stringify(result.counts)}`);
  if (result.overThreshold || result.stopped) {
    throw ApplicationFailure.create({
      type: SCHEDULE_FAILURE_TYPES.batchFailures,
      message: `batch ${batchId} ${result.stopped ? `stopped: ${result.stopped}` : 'ended with failures over its threshold'}`,
      details: [result],
      nonRetryable: true,
    });
  }
  return result;
}

/** Starts the batch as a child and waits for it; a cancelled fire asks the batch to stop instead of abandoning it. */
async function runBatch(batch: BatchWorkflowInput, schedule: string): Promise<BatchWorkflowOutput> {
  // Started outside the fire's cancellation scope: cancelling the fire must not cancel the batch workflow itself.
  const child = await CancellationScope.nonCancellable(() =>
    startChild(batchWorkflow, {
      workflowId: batch.batchId,
      args: [batch],
      staticSummary: `${batch.source.name} · schedule ${schedule} · ${batch.item.provider} app ${batch.item.app} · concurrency ${batch.tuning.concurrency}`,
      memo: batchMemo(batch, { schedule }),
      typedSearchAttributes: [
        { key: BATCH_ID_KEY, value: batch.batchId },
        { key: PROVIDER_KEY, value: batch.item.provider },
      ],
    }),
  );
  let cancelled = false;
  void CancellationScope.current().cancelRequested.catch(() => {
    cancelled = true;
    return CancellationScope.nonCancellable(() =>
      child.signal(stopSignal, { reason: `the schedule ${schedule} cancelled this fire` }),
    ).catch(() => undefined);
  });
  const result = await CancellationScope.nonCancellable(() => child.result());
  // Ends the fire as cancelled, not failed: a cancel-other overlap must not trip --pause-on-failure.
  if (cancelled) throw new CancelledFailure(`fire cancelled; batch ${batch.batchId} stopped`, [result]);
  return result;
}

/** The fetch's own failure as the fire's ("ManifestFetchFailed: could not fetch the manifest: …"), not "activity failed". */
function fetchFailure(err: unknown): unknown {
  if (isCancellation(err) || !(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure))
    return err;
  return ApplicationFailure.nonRetryable(err.cause.message, err.cause.type ?? SCHEDULE_FAILURE_TYPES.manifestFetch);
}
