import type { BatchWorkflowInput } from '../../src/shared/batch-contract.js';

/**
 * The one place where workflow tests spell out workflow inputs: when an input type changes shape, only this file
 * changes. Tests say what a batch is like (a `BatchChoice`); this turns it into the workflow's input.
 */

export type BatchInput = BatchWorkflowInput;

/** What a workflow test chooses about a batch; everything else is a fixed, valid value. */
export interface BatchChoice {
  batchId: string;
  concurrency: number;
  /** Rows per page: partitions continue as new after each page. */
  pageSize: number;
  /** `--max-failures N|P%`. */
  maxFailures?: string;
  /** Overrides the partition count chosen from rows and concurrency. */
  partitions?: number;
}

/** The input of `batchWorkflow` for `choice`. Its manifest is never read: the mocked activities stand for storage. */
export function batchInput(choice: BatchChoice): BatchInput {
  return {
    batchId: choice.batchId,
    source: { location: `/nowhere/${choice.batchId}.csv`, name: `${choice.batchId}.csv` },
    storage: `/nowhere/${choice.batchId}`,
    manifest: { keyColumn: 'sku', omit: [], map: {} },
    tuning: {
      concurrency: choice.concurrency,
      pageSize: choice.pageSize,
      ...(choice.maxFailures !== undefined ? { maxFailures: choice.maxFailures } : {}),
      ...(choice.partitions !== undefined ? { partitions: choice.partitions } : {}),
    },
    item: {
      provider: 'lamina',
      app: 'app-under-test',
      waitSeconds: 5,
      itemTimeoutMs: 600_000,
      onAmbiguousSubmit: 'hold',
    },
  };
}
