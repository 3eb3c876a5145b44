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
import {
  batchProgressQuery,
  partitionControlSignal,
  partitionReportSignal,
  pauseUpdate,
  resumeUpdate,
  rowFailedSignal,
  setConcurrencyUpdate,
  stopSignal,
} from '../shared/messages.js';
import {
  concurrencyProblem,
  exceedsThreshold,
  parseMaxFailures,
  planPartitions,
  splitConcurrency,
} from '../shared/plan.js';
import { addCounts, emptyCounts, failureCount, totalDone } from '../shared/status.js';
import { BATCH_ID_KEY, PROVIDER_KEY } from '../shared/search-attributes.js';
import type { RedriveBatchInput } from '../shared/redrive.js';
import type { BatchControlState, BatchProgress, BatchWorkflowOutput, PartitionReport } from '../shared/types.js';
import { partitionWorkflow, rateAndEta } from './partition.js';

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
  const control = liveControl(input, progress, (failures) => {
    // Failed rows arrive in partition reports (bounded), no longer one signal per row.
    if (threshold && progress.rowCount !== null && exceedsThreshold(failures, progress.rowCount, threshold)) {
      progress.stopping ??= `more than ${input.maxFailures} of the rows failed (--max-failures)`;
    }
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

  // A set-concurrency that came while preparing counts from the start.
  const plans = planPartitions(prepared.rowCount, control.state.concurrency, input.partitions);
  const batchWorkflowId = workflowInfo().workflowId;
  progress.partitionIds = plans.map((p) => `${batchWorkflowId}/p${p.partition}`);
  const windows = control.plan(plans.length) ?? plans.map((p) => p.window);
  control.runningSince(prepared.rowCount, plans.length);

  const partitions = progress.stopping
    ? Promise.resolve([])
    : Promise.all(
        plans.map((plan, k) =>
          startChild(partitionWorkflow, {
            workflowId: progress.partitionIds[k] ?? `${batchWorkflowId}/p${plan.partition}`,
            args: [
              {
                batchId: input.batchId,
                ...plan,
                window: windows[k] ?? plan.window,
                pageSize: input.pageSize,
                item,
                ...(input.redrive ? { redrive: input.redrive } : {}),
                ...(control.state.paused ? { paused: true } : {}),
                partitionCount: plans.length,
                ...(threshold ? { reportFailures: true } : {}),
              },
            ],
            staticSummary: `partition ${plan.partition} · rows ${plan.firstRow}–${plan.lastRow} · window ${plan.window}`,
            // A partition that lost its cached state replays its whole run (a page of rows, ~1,500 events) inside
            // one workflow task; on a loaded worker that can take longer than the default 10 s, and a task that
            // times out is replayed again from the start. Continued runs keep this timeout.
            workflowTaskTimeout: PARTITION_TASK_TIMEOUT,
            typedSearchAttributes: [
              { key: BATCH_ID_KEY, value: input.batchId },
              { key: PROVIDER_KEY, value: input.item.provider },
            ],
          }).then((child) => {
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

  progress.stage = 'exporting';
  setCurrentDetails(`Exporting the results of ${prepared.rowCount} rows`);
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
  // An Update still passing its change on to partitions finishes before the batch closes.
  await condition(allHandlersFinished);
  return result;
}

/**
 * Pause, resume and set-concurrency (Updates, validated before they are accepted), and the batch's live details
 * from its partitions' reports. A change reaches every partition that has started, and partitions that start
 * later get it in their input.
 */
function liveControl(input: RedriveBatchInput, progress: BatchProgress, onFailures: (failures: number) => void) {
  const state: BatchControlState = {
    paused: false,
    pausedReason: null,
    concurrency: input.concurrency,
    windows: [],
    seq: 0,
  };
  const reports = new Map<number, PartitionReport>();
  const started = new Set<number>();
  let partitions: number | null = null;
  let since: number | null = null;
  let changed = false;
  progress.control = state;

  const details = () => {
    const rows = progress.rowCount ?? 0;
    let counts = emptyCounts();
    let inFlight = 0;
    for (const r of reports.values()) {
      counts = addCounts(counts, r.counts);
      inFlight += r.inFlight;
    }
    const done = totalDone(counts);
    const flow = state.paused
      ? `**paused**${state.pausedReason ? ` (${state.pausedReason})` : ''}: rows in flight finish, none start`
      : `concurrency ${state.concurrency}`;
    setCurrentDetails(
      `**${input.manifestName}** · ${rows} rows · ${partitions ?? 0} partition(s) · ${flow}\n\n` +
        `done ${done}/${rows} · succeeded ${counts.succeeded} · failed ${failureCount(counts)} · in flight ${inFlight}\n\n` +
        rateAndEta(done, rows, since ?? undefined),
    );
  };
  const open = () => {
    if (progress.stage === 'exporting' || progress.stage === 'done') throw new Error('the batch has finished');
    if (progress.stopping) throw new Error(`the batch is stopping: ${progress.stopping}`);
  };
  const signalPartition = (k: number) =>
    getExternalWorkflowHandle(progress.partitionIds[k] ?? '')
      .signal(partitionControlSignal, { paused: state.paused, window: state.windows[k] ?? 1, seq: state.seq ?? 0 })
      .catch(() => undefined);
  const apply = async (): Promise<BatchControlState> => {
    changed = true;
    state.seq = (state.seq ?? 0) + 1;
    if (partitions !== null) {
      // Every partition keeps at least one row in flight (the validator asks for that many).
      state.windows = splitConcurrency(Math.max(state.concurrency, partitions), partitions);
      // Partitions still starting get the change in their input or once started.
      await Promise.all([...started].map(signalPartition));
    }
    details();
    return state;
  };

  setHandler(partitionReportSignal, (report) => {
    reports.set(report.partition, report);
    progress.reports = [...reports.values()];
    let failures = 0;
    for (const r of reports.values()) failures += failureCount(r.counts);
    onFailures(failures);
    details();
  });
  setHandler(
    pauseUpdate,
    ({ reason }) => {
      state.paused = true;
      state.pausedReason = reason ?? null;
      return apply();
    },
    { validator: (_request: { reason?: string }) => open() },
  );
  setHandler(
    resumeUpdate,
    () => {
      state.paused = false;
      state.pausedReason = null;
      return apply();
    },
    { validator: () => open() },
  );
  setHandler(
    setConcurrencyUpdate,
    (concurrency) => {
      state.concurrency = concurrency;
      return apply();
    },
    {
      validator: (concurrency: number) => {
        open();
        const problem = concurrencyProblem(concurrency, partitions ?? 1);
        if (problem) throw new Error(problem);
      },
    },
  );

  return {
    state,
    /** Windows for `count` partitions when the concurrency was changed before they were planned, else null. */
    plan(count: number): number[] | null {
      partitions = count;
      state.concurrency = Math.max(state.concurrency, count);
      state.windows = splitConcurrency(state.concurrency, count);
      return changed ? state.windows : null;
    },
    runningSince(rows: number, count: number) {
      since = Date.now();
      partitions = count;
      progress.rowCount = rows;
      details();
    },
    /** A partition has started: from now on changes reach it by signal (one made meanwhile is sent now). */
    started(k: number) {
      started.add(k);
      if (changed) void signalPartition(k);
    },
  };
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
