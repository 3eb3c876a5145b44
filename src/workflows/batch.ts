import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { batchProgressQuery, rowFailedSignal, stopSignal } from '../shared/messages.js';
import { exceedsThreshold, parseMaxFailures, planPartitions } from '../shared/plan.js';
import { BATCH_ID_KEY, PROVIDER_KEY } from '../shared/search-attributes.js';
import type { RedriveBatchInput } from '../shared/redrive.js';
import type { BatchProgress, BatchWorkflowOutput } from '../shared/types.js';
import { partitionWorkflow } from './partition.js';

type Activities = ReturnType<typeof createActivities>;

const { prepareManifest, exportResults, beginRedrive } = proxyActivities<Activities>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '60s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 10 },
});

/**
 * A whole batch: validates and normalizes the manifest into storage, runs the rows through partition workflows
 * (contiguous row ranges, each with its share of the concurrency), and exports the results in manifest order.
 * Started with the batch id as workflow id, so running the same command twice attaches to one batch. A run with
 * `redrive` (`durabatch redrive`, a new run of the closed batch) runs only the rows recorded with the given states,
 * in the next generation, and exports every row again.
 */
export async function batchWorkflow(input: RedriveBatchInput): Promise<BatchWorkflowOutput> {
  const progress: BatchProgress = {
    stage: 'preparing',
    stopping: null,
    rowCount: null,
    partitionIds: [],
    result: null,
  };
  setHandler(batchProgressQuery, () => progress);
  const threshold = input.maxFailures ? parseMaxFailures(input.maxFailures) : null;
  const failed = new Set<string>();
  setHandler(rowFailedSignal, ({ id }) => {
    failed.add(id);
    if (threshold && progress.rowCount !== null && exceedsThreshold(failed.size, progress.rowCount, threshold)) {
      progress.stopping ??= `more than ${input.maxFailures} of the rows failed (--max-failures)`;
    }
  });
  setHandler(stopSignal, ({ reason }) => {
    progress.stopping ??= reason;
  });
  upsertSearchAttributes([
    { key: BATCH_ID_KEY, value: input.batchId },
    { key: PROVIDER_KEY, value: input.item.provider },
  ]);
  setCurrentDetails(`Preparing ${input.manifestName}`);

  const prepared = await prepareManifest({
    batchId: input.batchId,
    manifestPath: input.manifestPath,
    omit: input.omit,
    map: input.map,
    provider: input.item.provider,
    app: input.item.app,
    storage: input.item.storage,
    ...(input.format ? { format: input.format } : {}),
    ...(input.keyColumn ? { keyColumn: input.keyColumn } : {}),
  }).catch(surfaceActivityFailure);
  progress.rowCount = prepared.rowCount;
  progress.stage = 'running';
  // Only a redrive run schedules this activity: histories of ordinary runs replay unchanged.
  const item = input.redrive
    ? {
        ...input.item,
        generation: (
          await beginRedrive({
            storage: input.item.storage,
            runId: workflowInfo().runId,
            statuses: input.redrive.statuses,
          })
        ).generation,
      }
    : input.item;

  const plans = planPartitions(prepared.rowCount, input.concurrency, input.partitions);
  const batchWorkflowId = workflowInfo().workflowId;
  progress.partitionIds = plans.map((p) => `${batchWorkflowId}/p${p.partition}`);
  setCurrentDetails(`Running ${prepared.rowCount} rows of ${input.manifestName} in ${plans.length} partition(s)`);

  const partitions = progress.stopping
    ? Promise.resolve([])
    : Promise.all(
        plans.map((plan, k) =>
          executeChild(partitionWorkflow, {
            workflowId: progress.partitionIds[k] ?? `${batchWorkflowId}/p${plan.partition}`,
            args: [
              {
                batchId: input.batchId,
                ...plan,
                pageSize: input.pageSize,
                item,
                ...(input.redrive ? { redrive: input.redrive } : {}),
              },
            ],
            staticSummary: `partition ${plan.partition} · rows ${plan.firstRow}–${plan.lastRow} · window ${plan.window}`,
            typedSearchAttributes: [
              { key: BATCH_ID_KEY, value: input.batchId },
              { key: PROVIDER_KEY, value: input.item.provider },
            ],
          }),
        ),
      );
  let partitionsDone = false;
  void partitions.then(
    () => (partitionsDone = true),
    () => (partitionsDone = true),
  );
  await condition(() => partitionsDone || progress.stopping !== null);
  if (!partitionsDone && progress.stopping !== null) await stopPartitions(progress.partitionIds, progress.stopping);
  await partitions;

  progress.stage = 'exporting';
  const exported = await exportResults({
    batchId: input.batchId,
    ...(progress.stopping ? { stopped: progress.stopping } : {}),
    storage: input.item.storage,
    provider: input.item.provider,
    app: input.item.app,
    ...(input.outDir ? { outDir: input.outDir } : {}),
    ...(input.maxFailures ? { maxFailures: input.maxFailures } : {}),
  });
  if (exported.rowCount !== prepared.rowCount) {
    throw ApplicationFailure.nonRetryable(
      `results have ${exported.rowCount} lines for ${prepared.rowCount} rows`,
      'ResultsIncomplete',
    );
  }
  const result: BatchWorkflowOutput = {
    batchId: input.batchId,
    rowCount: prepared.rowCount,
    counts: exported.counts,
    resultsPath: exported.resultsPath,
    csvPath: exported.csvPath,
    summaryPath: exported.summaryPath,
    outDir: exported.outDir,
    overThreshold: exported.overThreshold,
    stopped: progress.stopping,
  };
  progress.stage = 'done';
  progress.result = result;
  setCurrentDetails(`Done: ${JSON.stringify(exported.counts)}`);
  return result;
}

/** Tells every partition to stop; a partition that already finished has nothing to stop. */
async function stopPartitions(ids: string[], reason: string): Promise<void> {
  setCurrentDetails(`Stopping: ${reason}`);
  await Promise.all(
    ids.map((id) =>
      getExternalWorkflowHandle(id)
        .signal(stopSignal, { reason })
        .catch(() => undefined),
    ),
  );
}

/** Fails the batch with the activity's own failure (type and message), so callers see "ManifestInvalid: …". */
function surfaceActivityFailure(err: unknown): never {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    throw ApplicationFailure.create({
      type: err.cause.type ?? 'ActivityFailed',
      message: err.cause.message,
      details: err.cause.details ?? [],
      nonRetryable: true,
    });
  }
  throw err;
}
