import type { batchWorkflow } from '../../src/workflows/index.js';

/**
 * The one place where workflow tests spell out workflow inputs: when an input type changes shape, only this file
 * changes. Tests say what a batch is like (a `BatchSpec`); this turns it into the workflow's input.
 */

export type BatchInput = Parameters<typeof batchWorkflow>[0];

/** What a workflow test chooses about a batch; everything else is a fixed, valid value. */
export interface BatchSpec {
  batchId: string;
  concurrency: number;
  /** Rows per page: partitions continue as new after each page. */
  pageSize: number;
  /** `--max-failures N|P%`. */
  maxFailures?: string;
  /** Overrides the partition count chosen from rows and concurrency. */
  partitions?: number;
}

/** The input of `batchWorkflow` for `spec`. Its manifest is never read: the mocked activities stand for storage. */
export function batchInput(spec: BatchSpec): BatchInput {
  return {
    batchId: spec.batchId,
    manifestPath: `/nowhere/${spec.batchId}.csv`,
    manifestName: `${spec.batchId}.csv`,
    keyColumn: 'sku',
    omit: [],
    map: {},
    concurrency: spec.concurrency,
    pageSize: spec.pageSize,
    ...(spec.maxFailures !== undefined ? { maxFailures: spec.maxFailures } : {}),
    ...(spec.partitions !== undefined ? { partitions: spec.partitions } : {}),
    item: {
      provider: 'lamina',
      app: 'app-under-test',
      storage: `/nowhere/${spec.batchId}`,
      waitSeconds: 5,
      itemTimeoutMs: 600_000,
      onAmbiguousSubmit: 'hold',
    },
  };
}
