import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { createActivities } from '../activities/index.js';
import { itemDoneSignal, partitionProgressQuery, stopSignal } from '../shared/messages.js';
import { pageBounds } from '../shared/plan.js';
import { BATCH_ID_KEY, ITEM_STATUS_KEY, PROVIDER_KEY } from '../shared/search-attributes.js';
import { emptyCounts, totalDone } from '../shared/status.js';
import type { PartitionState, PartitionWorkflowInput, PartitionWorkflowOutput, RowKey } from '../shared/types.js';
import { itemWorkflow, itemWorkflowId } from './item.js';

type Activities = ReturnType<typeof createActivities>;

const { loadRowKeys, readItemResult } = proxyActivities<Activities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * A sliding window over a contiguous range of rows: keeps up to `window` item workflows running, starts the next
 * row as soon as one signals that it is done, and continues as new at every page (or when Temporal suggests it),
 * carrying only the next row, the counters and the ids in flight.
 */
export async function partitionWorkflow(input: PartitionWorkflowInput): Promise<PartitionWorkflowOutput> {
  const state: PartitionState = input.state ?? { nextRow: input.firstRow, counts: emptyCounts(), inFlight: {} };
  const inFlight = new Map<string, number>(Object.entries(state.inFlight));
  const total = input.lastRow - input.firstRow + 1;

  setHandler(itemDoneSignal, ({ id, status }) => {
    if (!inFlight.delete(id)) return; // a repeated or late signal: already counted
    state.counts[status] += 1;
  });
  setHandler(stopSignal, ({ reason }) => {
    state.stopping ??= reason;
  });
  setHandler(partitionProgressQuery, () => ({
    partition: input.partition,
    total,
    started: state.nextRow - input.firstRow,
    inFlight: inFlight.size,
    counts: state.counts,
  }));

  const [, pageLast] = pageBounds(Math.min(state.nextRow, input.lastRow), input.pageSize, input.lastRow);
  const keys = state.nextRow <= input.lastRow && !state.stopping ? await loadKeys(input, state.nextRow, pageLast) : [];

  for (let index = 0; index < keys.length;) {
    await condition(() => inFlight.size < input.window || state.stopping !== undefined);
    if (state.stopping !== undefined) break;
    // Fill every free slot at once: the starts go out as commands of one workflow task.
    const batch = keys.slice(index, index + input.window - inFlight.size);
    index += batch.length;
    await Promise.all(batch.map((key) => startItem(input, key, inFlight, state)));
    state.nextRow = (batch[batch.length - 1]?.row ?? state.nextRow - 1) + 1;
    describe(input, state, inFlight.size, total);
  }

  if (state.nextRow <= input.lastRow && state.stopping === undefined) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof partitionWorkflow>({ ...input, state: snapshot(state, inFlight) });
  }
  let cancelRequested = false;
  while (inFlight.size > 0) {
    if (state.stopping !== undefined && !cancelRequested) {
      cancelRequested = true;
      await cancelItems(input.batchId, [...inFlight.keys()]);
    }
    const suggested = await waitForProgress(inFlight, () => state.stopping !== undefined && !cancelRequested);
    describe(input, state, inFlight.size, total);
    if (suggested && inFlight.size > 0) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof partitionWorkflow>({ ...input, state: snapshot(state, inFlight) });
    }
  }
  describe(input, state, 0, total);
  return { partition: input.partition, counts: state.counts };
}

async function loadKeys(input: PartitionWorkflowInput, from: number, to: number): Promise<RowKey[]> {
  const keys = await loadRowKeys({ storage: input.item.storage, from, to });
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
  const workflowId = itemWorkflowId(input.batchId, key.id);
  inFlight.set(key.id, key.row);
  try {
    await startChild(itemWorkflow, {
      workflowId,
      args: [
        {
          batchId: input.batchId,
          partitionWorkflowId: workflowInfo().workflowId,
          row: key.row,
          id: key.id,
          key: key.key,
          settings: input.item,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `row ${key.row} · ${key.key} · ${input.item.provider} app ${input.item.app}`,
      typedSearchAttributes: [
        { key: BATCH_ID_KEY, value: input.batchId },
        { key: PROVIDER_KEY, value: input.item.provider },
        { key: ITEM_STATUS_KEY, value: 'pending' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // The row's workflow exists already (a resumed batch): count its recorded result, or keep waiting for its signal.
    const done = await readItemResult({ storage: input.item.storage, id: key.id });
    if (done && inFlight.delete(key.id)) state.counts[done.status] += 1;
  }
}

function snapshot(state: PartitionState, inFlight: Map<string, number>): PartitionState {
  return {
    nextRow: state.nextRow,
    counts: state.counts,
    inFlight: Object.fromEntries(inFlight),
    ...(state.stopping !== undefined ? { stopping: state.stopping } : {}),
  };
}

function describe(input: PartitionWorkflowInput, state: PartitionState, inFlight: number, total: number): void {
  const done = totalDone(state.counts);
  setCurrentDetails(
    `**Partition ${input.partition}** rows ${input.firstRow}–${input.lastRow}\n\n` +
      `done ${done}/${total} · succeeded ${state.counts.succeeded} · failed ${state.counts.failed} · in flight ${inFlight}`,
  );
}
