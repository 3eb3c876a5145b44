import type { BatchSpec } from './batch-spec.js';

/**
 * A batch workflow's memo: what `status` and the Web UI read without the batch's history. Written by `run`,
 * `redrive` and each schedule fire, from the batch's spec; the keys are read from batches of every version.
 */
// A type alias, not an interface: Temporal takes a memo as a record.
export type BatchMemo = {
  manifest: string;
  manifestPath: string;
  storage: string;
  rows?: number;
  schedule?: string;
};

export function batchMemo(spec: BatchSpec, extra: { rows?: number; schedule?: string } = {}): BatchMemo {
  return { manifest: spec.source.name, manifestPath: spec.source.location, storage: spec.storage, ...extra };
}
