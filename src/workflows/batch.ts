import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { BatchProgress, BatchWorkflowInput, BatchWorkflowOutput } from '../shared/batch-contract.js';
import type { BatchSpec } from '../shared/batch-spec.js';
import { batchInputOf, type LegacyBatchInput } from '../shared/legacy-inputs.js';
import { batchProgressQuery, stopSignal } from '../shared/messages.js';
import { exceedsThreshold, parseMaxFailures, planPartitions, type PartitionPlan } from '../shared/plan.js';
import { BATCH_ID_KEY, PROVIDER_KEY } from '../shared/search-attributes.js';
import { liveControl } from './live-control.js';
import { partitionWorkflow } from './partition.js';

type Activities = ReturnType<typeof createActivities>;

/** Workflow-task timeout of partitions (see where they start). */
const PARTITION_TASK_TIMEOUT = '60s';

const batchStep = {
  startToCloseTimeout: '2h',
  heartbeatTimeout: '60s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 10 },
} as const;
// Each summary is what the Web UI shows on the activity.
const { prepareManifest } = proxyActivities<Activities>({
  ...batchStep,
  summary: 'read, validate and store every manifest row',
});
const { exportResults } = proxyActivities<Activities>({
  ...batchStep,
  summary: 'write results.jsonl, results.csv and summary.json in manifest order',
});
const { beginRedrive } = proxyActivities<Activities>({
  ...batchStep,
  summary: 'start a redrive generation',
});

/**
 * A whole batch: prepare (validate and normalize the manifest into storage), plan (split the rows into partitions,
 * each with its share of the concurrency), run (the partition workflows, until they finish or the batch stops) and
 * export (the results in manifest order). Started with the batch id as workflow id, so running the same command
 * twice attaches to one batch. A run with `redrive` (`durabatch redrive`, a new run of the closed batch) runs only
 * the rows recorded with the given states, in the next generation, and exports every row again.
 */
export async function batchWorkflow(raw: BatchWorkflowInput | LegacyBatchInput): Promise<BatchWorkflowOutput> {
  const input = batchInputOf(raw);
  const progress: BatchProgress = {
    stage: 'preparing',
    stopping: null,
    rowCount: null,
    partitionIds: [],
    result: null,
  };
  setHandler(batchProgressQuery, () => progress);
  setHandler(stopSignal, ({ reason }) => {
    progress.stopping ??= reason;
  });
  const { maxFailures } = input.tuning;
  const threshold = maxFailures ? parseMaxFailures(maxFailures) : null;
  const control = liveControl(input.source.name, input.tuning.concurrency, progress, (failures) => {
    if (threshold && progress.rowCount !== null && exceedsThreshold(failures, progress.rowCount, threshold)) {
      progress.stopping ??= `more than ${maxFailures} of the rows failed (--max-failures)`;
    }
  });
  upsertSearchAttributes([
    { key: BATCH_ID_KEY, value: input.batchId },
    { key: PROVIDER_KEY, value: input.item.provider },
  ]);

  // Prepare.
  setCurrentDetails(`Preparing ${input.source.name}`);
  const prepared = await prepareManifest({ spec: specOf(input) }).catch(surfaceActivityFailure);
  progress.rowCount = prepared.rowCount;
  progress.stage = 'running';
  const spec = await withGeneration(input);

  // Plan. A set-concurrency that came while preparing counts from the start.
  const plans = planPartitions(prepared.rowCount, control.state.concurrency, spec.tuning.partitions);
  const batchWorkflowId = workflowInfo().workflowId;
  progress.partitionIds = plans.map((p) => `${batchWorkflowId}/p${p.partition}`);
  const windows = control.plan(plans.length) ?? plans.map((p) => p.window);
  control.runningSince(prepared.rowCount, plans.length);

  // Run.
  if (!progress.stopping) {
    const partitions = Promise.all(
      plans.map((plan, k) =>
        startPartition(
          input,
          spec,
          { ...plan, window: windows[k] ?? plan.window },
          plans.length,
          control.state.paused,
        ).then((child) => {
          control.started(k);
          return child.result();
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
  }

  // Export.
  progress.stage = 'exporting';
  setCurrentDetails(`Exporting the results of ${prepared.rowCount} rows`);
  const exported = await exportResults({
    spec: specOf(input),
    ...(progress.stopping ? { stopped: progress.stopping } : {}),
  }).catch(surfaceActivityFailure);
  if (exported.rowCount !== prepared.rowCount) {
    throw ApplicationFailure.nonRetryable(
      `results have ${exported.rowCount} lines for ${prepared.rowCount} rows`,
      'ResultsIncomplete',
    );
  }
  const { rowCount: _rows, ...files } = exported;
  const result: BatchWorkflowOutput = {
    batchId: input.batchId,
    rowCount: prepared.rowCount,
    ...files,
    stopped: progress.stopping,
  };
  progress.stage = 'done';
  progress.result = result;
  setCurrentDetails(`Done: ${JSON.stringify(exported.counts)}`);
  // An Update still passing its change on to partitions finishes before the batch closes.
  await condition(allHandlersFinished);
  return result;
}

/** The batch's spec without the redrive request (what activities and partitions are given). */
function specOf(input: BatchWorkflowInput): BatchSpec {
  const { redrive: _redrive, ...spec } = input;
  return spec;
}

/** A redrive runs its rows in a new generation (only a redrive schedules this activity). */
async function withGeneration(input: BatchWorkflowInput): Promise<BatchSpec> {
  const spec = specOf(input);
  if (!input.redrive) return spec;
  const { generation } = await beginRedrive({
    storage: input.storage,
    runId: workflowInfo().runId,
    statuses: input.redrive.statuses,
  });
  return { ...spec, item: { ...spec.item, generation } };
}

function startPartition(
  input: BatchWorkflowInput,
  spec: BatchSpec,
  plan: PartitionPlan,
  partitionCount: number,
  paused: boolean,
) {
  return startChild(partitionWorkflow, {
    workflowId: `${workflowInfo().workflowId}/p${plan.partition}`,
    args: [
      {
        spec,
        plan,
        partitionCount,
        ...(input.redrive ? { redrive: input.redrive } : {}),
        ...(paused ? { paused: true } : {}),
      },
    ],
    staticSummary: `partition ${plan.partition} · rows ${plan.firstRow}–${plan.lastRow} · window ${plan.window}`,
    // A partition that lost its cached state replays its whole run (a page of rows, ~1,500 events) inside one
    // workflow task; on a loaded worker that can take longer than the default 10 s, and a task that times out is
    // replayed again from the start. Continued runs keep this timeout.
    workflowTaskTimeout: PARTITION_TASK_TIMEOUT,
    typedSearchAttributes: [
      { key: BATCH_ID_KEY, value: input.batchId },
      { key: PROVIDER_KEY, value: input.item.provider },
    ],
  });
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
