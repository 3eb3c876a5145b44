import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  deprecatePatch,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { createActivities } from '../activities/index.js';
import {
  itemDoneSignal,
  partitionControlSignal,
  partitionProgressQuery,
  partitionReportSignal,
  stopSignal,
} from '../shared/messages.js';
import { pageBounds } from '../shared/plan.js';
import { BATCH_ID_KEY, ITEM_STATUS_KEY, PROVIDER_KEY } from '../shared/search-attributes.js';
import { emptyCounts, FAILURE_STATUSES } from '../shared/status.js';
import { partitionInputOf, type LegacyPartitionInput } from '../shared/legacy-inputs.js';
import { showPartitionDetails } from './details.js';
import type { PartitionWorkflowInput } from '../shared/partition-contract.js';
import type { PartitionState, PartitionWorkflowOutput } from '../shared/partition-contract.js';
import type { RowKey } from '../activities/contracts.js';
import { ITEM_VERSION, itemWorkflow, itemWorkflowId } from './item.js';

type Activities = ReturnType<typeof createActivities>;

const { loadRowKeys, loadRedriveKeys, readItemResult } = proxyActivities<Activities>({
  summary: 'read row keys or a recorded result from batch storage',
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * A sliding window over a contiguous range of rows: keeps up to `window` item workflows running, starts the next
 * row as soon as one signals that it is done, and continues as new at every page (or when Temporal suggests it),
 * carrying only the next row, the counters and the ids in flight.
 */
export async function partitionWorkflow(
  raw: PartitionWorkflowInput | LegacyPartitionInput,
): Promise<PartitionWorkflowOutput> {
  const input = partitionInputOf(raw);
  const { plan } = input;
  const state: PartitionState = input.state ?? { nextRow: plan.firstRow, counts: emptyCounts(), inFlight: {} };
  const inFlight = new Map<string, number>(Object.entries(state.inFlight));
  const total = plan.lastRow - plan.firstRow + 1;
  state.startedAtMs ??= Date.now();
  if (input.paused && input.state === undefined) state.paused = true;
  const window = () => state.window ?? plan.window;
  const reporter = createReporter(input, state, inFlight);

  setHandler(itemDoneSignal, ({ id, status }) => {
    if (!inFlight.delete(id)) return; // a repeated or late signal: already counted
    state.counts[status] += 1;
    if (FAILURE_STATUSES.includes(status)) reporter.failed();
  });
  setHandler(stopSignal, ({ reason }) => {
    state.stopping ??= reason;
  });
  setHandler(partitionControlSignal, ({ paused, window: next, seq }) => {
    // Signals may overtake each other: a change older than the one applied is stale.
    if (seq !== undefined && seq <= (state.controlSeq ?? 0)) return;
    if (seq !== undefined) state.controlSeq = seq;
    state.paused = paused;
    state.window = Math.max(1, next);
    describe(input, state, inFlight.size);
  });
  setHandler(partitionProgressQuery, () => ({
    partition: plan.partition,
    total,
    started: state.nextRow - plan.firstRow,
    inFlight: inFlight.size,
    counts: state.counts,
  }));

  const { keys, pageLast } = await loadPage(input, state);

  for (let index = 0; index < keys.length;) {
    // Paused: rows in flight go on, no new row starts until the batch is resumed.
    await condition(() => (inFlight.size < window() && !state.paused) || state.stopping !== undefined);
    if (state.stopping !== undefined) break;
    // Fill every free slot at once: the starts go out as commands of one workflow task.
    const batch = keys.slice(index, index + window() - inFlight.size);
    index += batch.length;
    await Promise.all(batch.map((key) => startItem(input, key, inFlight, state)));
    state.nextRow = (batch[batch.length - 1]?.row ?? state.nextRow - 1) + 1;
    describe(input, state, inFlight.size);
    await reporter.maybe();
  }
  // The whole page is started (a redrive may have kept only some of its rows): go on after it. In an ordinary run
  // the loop has left nextRow there already.
  if (input.redrive && state.stopping === undefined && state.nextRow <= plan.lastRow) {
    state.nextRow = Math.max(state.nextRow, pageLast + 1);
  }

  if (state.nextRow <= plan.lastRow && state.stopping === undefined) {
    await reporter.now();
    await condition(allHandlersFinished);
    return continueAsNew<typeof partitionWorkflow>({ ...input, state: snapshot(state, inFlight) });
  }
  let cancelRequested = false;
  while (inFlight.size > 0) {
    if (state.stopping !== undefined && !cancelRequested) {
      cancelRequested = true;
      await cancelItems(input.spec.batchId, [...inFlight.keys()]);
      // The last rows may have finished (and signalled) while the cancels went out: nothing is left to wait for.
      if (inFlight.size === 0) {
        deprecatePatch('partition-drain-after-cancel');
        break;
      }
    }
    const suggested = await waitForProgress(inFlight, () => state.stopping !== undefined && !cancelRequested);
    describe(input, state, inFlight.size);
    await reporter.maybe();
    if (suggested && inFlight.size > 0) {
      await reporter.now();
      await condition(allHandlersFinished);
      return continueAsNew<typeof partitionWorkflow>({ ...input, state: snapshot(state, inFlight) });
    }
  }
  describe(input, state, 0);
  return { partition: plan.partition, counts: state.counts };
}

/** Report to the batch at most this often, so its live details stay current without a signal per row. */
const REPORT_EVERY_MS = 10_000;
/** A failed row is reported within this long when the batch watches --max-failures. */
const FAILURE_REPORT_EVERY_MS = 2_000;
/**
 * All partitions of a batch together send at most this many reports: a workflow run refuses its 10,001st signal,
 * and the batch never continues as new. Once a partition has spent its share, the batch's live details stop
 * moving and --max-failures is judged from the final counts (results and exit code always count every row).
 */
export const BATCH_REPORT_BUDGET = 3_000;

/**
 * Sends the partition's counts to its batch (the parent): before continuing as new, at most every
 * REPORT_EVERY_MS × partitions (so the batch gets about one report per 10 s in all), and within 2 s of a failed row
 * when the batch watches --max-failures; within a budget. The deprecated patches keep the histories of 0.1 replaying
 * (docs/decisions/0004-which-histories-replay.md); the next release removes them.
 */
function createReporter(input: PartitionWorkflowInput, state: PartitionState, inFlight: Map<string, number>) {
  let last = Date.now();
  let failuresPending = false;
  const count = Math.max(1, input.partitionCount);
  const watchesFailures = input.spec.tuning.maxFailures !== undefined;
  const send = async () => {
    const parent = workflowInfo().parent;
    if (!parent) return;
    deprecatePatch('partition-reports');
    deprecatePatch('partition-report-budget');
    if ((state.reportsSent ?? 0) >= Math.floor(BATCH_REPORT_BUDGET / count)) return;
    state.reportsSent = (state.reportsSent ?? 0) + 1;
    last = Date.now();
    failuresPending = false;
    await getExternalWorkflowHandle(parent.workflowId)
      .signal(partitionReportSignal, { partition: input.plan.partition, counts: state.counts, inFlight: inFlight.size })
      .catch(() => undefined);
  };
  const due = () => {
    deprecatePatch('partition-report-budget');
    const since = Date.now() - last;
    if (failuresPending && watchesFailures && since >= FAILURE_REPORT_EVERY_MS) return true;
    return since >= REPORT_EVERY_MS * count;
  };
  return {
    now: send,
    maybe: () => (due() ? send() : Promise.resolve()),
    failed: () => {
      failuresPending = true;
    },
  };
}

/**
 * The keys of the page at `state.nextRow`. A redrive skips pages with no row to run again (moving nextRow past
 * them) until it finds one, reaches the end, or Temporal suggests continuing as new.
 */
async function loadPage(
  input: PartitionWorkflowInput,
  state: PartitionState,
): Promise<{ keys: RowKey[]; pageLast: number }> {
  const { lastRow } = input.plan;
  const { pageSize } = input.spec.tuning;
  let [, pageLast] = pageBounds(Math.min(state.nextRow, lastRow), pageSize, lastRow);
  if (state.nextRow > lastRow || state.stopping) return { keys: [], pageLast };
  let keys = await loadKeys(input, state.nextRow, pageLast);
  while (input.redrive && keys.length === 0 && pageLast < lastRow && !workflowInfo().continueAsNewSuggested) {
    state.nextRow = pageLast + 1;
    [, pageLast] = pageBounds(state.nextRow, pageSize, lastRow);
    keys = await loadKeys(input, state.nextRow, pageLast);
  }
  return { keys, pageLast };
}

async function loadKeys(input: PartitionWorkflowInput, from: number, to: number): Promise<RowKey[]> {
  if (input.redrive)
    return loadRedriveKeys({ storage: input.spec.storage, from, to, statuses: input.redrive.statuses });
  const keys = await loadRowKeys({ storage: input.spec.storage, from, to });
  if (keys.length !== to - from + 1) {
    throw ApplicationFailure.nonRetryable(
      `expected rows ${from}..${to}, storage returned ${keys.length}`,
      'StorageCorrupt',
    );
  }
  return keys;
}

/** Waits for a row to finish (or a stop); returns true when Temporal suggests continuing as new. */
async function waitForProgress(inFlight: Map<string, number>, stopPending: () => boolean): Promise<boolean> {
  const before = inFlight.size;
  await condition(() => inFlight.size < before || workflowInfo().continueAsNewSuggested || stopPending());
  return workflowInfo().continueAsNewSuggested;
}

/**
 * Asks each in-flight row to cancel: it cancels its provider run where the provider can, records `cancelled` and
 * signals back, so the drain below still ends. A row that already finished has nothing to cancel.
 */
async function cancelItems(batchId: string, ids: string[]): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      getExternalWorkflowHandle(itemWorkflowId(batchId, id))
        .cancel()
        .catch(() => undefined),
    ),
  );
}

async function startItem(
  input: PartitionWorkflowInput,
  key: RowKey,
  inFlight: Map<string, number>,
  state: PartitionState,
): Promise<void> {
  const { batchId, storage, item } = input.spec;
  const workflowId = itemWorkflowId(batchId, key.id);
  inFlight.set(key.id, key.row);
  try {
    await startChild(itemWorkflow, {
      workflowId,
      args: [
        {
          batch: { batchId, storage },
          partitionWorkflowId: workflowInfo().workflowId,
          row: key.row,
          id: key.id,
          key: key.key,
          settings: item,
          version: ITEM_VERSION,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A redrive starts rows again whose earlier item workflows are closed; a row still running is never doubled.
      workflowIdReusePolicy: input.redrive
        ? WorkflowIdReusePolicy.ALLOW_DUPLICATE
        : WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `row ${key.row} · ${key.key} · ${item.provider} app ${item.app}`,
      typedSearchAttributes: [
        { key: BATCH_ID_KEY, value: batchId },
        { key: PROVIDER_KEY, value: item.provider },
        { key: ITEM_STATUS_KEY, value: 'pending' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // The row's workflow exists already (a resumed batch): count its recorded result, or keep waiting for its signal.
    const done = await readItemResult({ storage, id: key.id });
    if (done && inFlight.delete(key.id)) state.counts[done.status] += 1;
  }
}

function snapshot(state: PartitionState, inFlight: Map<string, number>): PartitionState {
  return {
    nextRow: state.nextRow,
    counts: state.counts,
    inFlight: Object.fromEntries(inFlight),
    ...(state.stopping !== undefined ? { stopping: state.stopping } : {}),
    ...(state.window !== undefined ? { window: state.window } : {}),
    ...(state.paused !== undefined ? { paused: state.paused } : {}),
    ...(state.startedAtMs !== undefined ? { startedAtMs: state.startedAtMs } : {}),
    ...(state.controlSeq !== undefined ? { controlSeq: state.controlSeq } : {}),
    ...(state.reportsSent !== undefined ? { reportsSent: state.reportsSent } : {}),
  };
}

function describe(input: PartitionWorkflowInput, state: PartitionState, inFlight: number): void {
  const { plan } = input;
  showPartitionDetails({
    partition: plan.partition,
    firstRow: plan.firstRow,
    lastRow: plan.lastRow,
    paused: state.paused === true,
    window: state.window ?? plan.window,
    counts: state.counts,
    inFlight,
    sinceMs: state.startedAtMs,
  });
}
