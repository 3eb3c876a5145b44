import type { BatchRef, ItemSettings } from './batch-spec.js';
import type { FinalItemStatus } from './status.js';

/** itemWorkflow's contract: its input and output, and the messages it takes and sends. */

export interface ItemWorkflowInput {
  batch: BatchRef;
  /** The partition to tell when the row is done (`itemDone` signal). */
  partitionWorkflowId: string;
  row: number;
  id: string;
  key: string;
  settings: ItemSettings;
  /** Which steps the row takes (see ITEM_VERSION in workflows/item.ts); absent in rows started as version 1. */
  version?: number;
}

export interface ItemWorkflowOutput {
  row: number;
  id: string;
  status: FinalItemStatus;
}

/** Sent by a row to its partition once its result is recorded. */
export interface ItemDoneSignal {
  row: number;
  id: string;
  status: FinalItemStatus;
}

/** The webhook receiver's `webhookArrived` Update to a row: a wake-up call, never trusted data. */
export interface WebhookArrived {
  runId: string;
  token: string;
  /** The provider's status word as the webhook said it (for the log; the workflow re-reads the run). */
  status: string;
}
