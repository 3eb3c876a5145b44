import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BatchControlState, BatchProgress, StopSignal } from './batch-contract.js';
import type { ItemDoneSignal, WebhookArrived } from './item-contract.js';
import type { PartitionControl, PartitionProgress, PartitionReport } from './partition-contract.js';

/** Signals, queries and updates: names are a wire contract with running workflows. */
export const itemDoneSignal = defineSignal<[ItemDoneSignal]>('itemDone');
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
export const partitionProgressQuery = defineQuery<PartitionProgress>('partitionProgress');
/** Stop the batch: no new rows, in-flight rows cancelled (`durabatch cancel`, or --max-failures exceeded). */
export const stopSignal = defineSignal<[StopSignal]>('stop');
/**
 * A provider's webhook said the row's run ended: the receiver's Update, whose validator checks the row's token, so
 * a guessed URL is refused without leaving anything in the row's history. The row then re-reads the run.
 */
export const webhookArrivedUpdate = defineUpdate<void, [WebhookArrived]>('webhookArrived');
/** Live control of a running batch (`durabatch pause|resume|set-concurrency`): each returns the new state. */
export const pauseUpdate = defineUpdate<BatchControlState, [{ reason?: string }]>('pause');
export const resumeUpdate = defineUpdate<BatchControlState, []>('resume');
export const setConcurrencyUpdate = defineUpdate<BatchControlState, [number]>('setConcurrency');
/** The batch passes pause and window on to each partition. */
export const partitionControlSignal = defineSignal<[PartitionControl]>('partitionControl');
/** A partition's counts for the batch's live details. */
export const partitionReportSignal = defineSignal<[PartitionReport]>('partitionReport');
