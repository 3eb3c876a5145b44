import type { BatchSpec } from './batch-spec.js';
import type { PartitionReport } from './partition-contract.js';
import type { RedriveRequest } from './redrive.js';
import type { StatusCounts } from './status.js';

/** batchWorkflow's contract: its input and output, its progress query's answer and its live-control state. */

/** A batch to run: its spec, and with `durabatch redrive`, which recorded rows to run again. */
export interface BatchWorkflowInput extends BatchSpec {
  /** Set by `durabatch redrive`: run again only the rows whose recorded result has one of these states. */
  redrive?: RedriveRequest;
}

export interface BatchWorkflowOutput {
  batchId: string;
  rowCount: number;
  counts: StatusCounts;
  resultsPath: string;
  csvPath: string;
  summaryPath: string;
  outDir: string | null;
  /** True when failures exceed --max-failures. */
  overThreshold: boolean;
  /** Why the batch stopped before every row ran (cancelled, or too many failures), else null. */
  stopped: string | null;
}

export type BatchStage = 'preparing' | 'running' | 'exporting' | 'done';

/** The answer of the `batchProgress` query. */
export interface BatchProgress {
  stage: BatchStage;
  stopping: string | null;
  rowCount: number | null;
  partitionIds: string[];
  result: BatchWorkflowOutput | null;
  /** Pause and concurrency as changed while running (`durabatch pause|resume|set-concurrency`). */
  control?: BatchControlState;
  /**
   * Each partition's latest report (a few seconds old at most), by partition number: what progress shows for a
   * partition whose own query does not answer in time, so a loaded server never makes the count go backwards.
   */
  reports?: PartitionReport[];
}

/** What the pause, resume and setConcurrency updates leave, and return. */
export interface BatchControlState {
  /** No new rows start while paused; rows in flight go on to their end. */
  paused: boolean;
  pausedReason: string | null;
  concurrency: number;
  /** Each partition's share of the concurrency (they add up to it), once the partitions are planned. */
  windows: number[];
  /** Number of changes made so far (orders the signals to partitions). */
  seq?: number;
}

/** The `stop` signal: no new rows, rows in flight cancelled (`durabatch cancel`, or --max-failures exceeded). */
export interface StopSignal {
  reason: string;
}
