import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
  BatchProgress,
  ItemDoneSignal,
  PartitionProgress,
  RowFailedSignal,
  RunFinishedSignal,
  StopSignal,
} from './types.js';

/** Signals and queries: names are a wire contract with running workflows. */
export const itemDoneSignal = defineSignal<[ItemDoneSignal]>('itemDone');
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
export const partitionProgressQuery = defineQuery<PartitionProgress>('partitionProgress');
/** A row ended in a failure state; sent to the batch only when it has a --max-failures threshold. */
export const rowFailedSignal = defineSignal<[RowFailedSignal]>('rowFailed');
/** Stop the batch: no new rows, in-flight rows cancelled (`durabatch cancel`, or --max-failures exceeded). */
export const stopSignal = defineSignal<[StopSignal]>('stop');
/** A provider's webhook said the row's run ended (sent by the webhook receiver); the row then re-reads the run. */
export const runFinishedSignal = defineSignal<[RunFinishedSignal]>('runFinished');
