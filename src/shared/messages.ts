import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BatchProgress, ItemDoneSignal, PartitionProgress } from './types.js';

/** Signals and queries: names are a wire contract with running workflows. */
export const itemDoneSignal = defineSignal<[ItemDoneSignal]>('itemDone');
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
export const partitionProgressQuery = defineQuery<PartitionProgress>('partitionProgress');
