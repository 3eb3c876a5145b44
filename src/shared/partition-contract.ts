import type { BatchSpec } from './batch-spec.js';
import type { PartitionPlan } from './plan.js';
import type { RedriveRequest } from './redrive.js';
import type { StatusCounts } from './status.js';

/** partitionWorkflow's contract: its input (carried over continue-as-new), output, query and signals. */

export interface PartitionWorkflowInput {
  /** The batch, whole (its item settings carry the redrive generation, when there is one). */
  spec: BatchSpec;
  /** This partition's rows (1-based, inclusive) and its starting window. */
  plan: PartitionPlan;
  /** How many partitions the batch has (their reports share the batch's attention). */
  partitionCount: number;
  /** Where a continued run picks up; absent in the first run. */
  state?: PartitionState;
  redrive?: RedriveRequest;
  /** Start paused (the batch was paused before its partitions started). */
  paused?: boolean;
}

export interface PartitionState {
  /** Set once the batch asked this partition to stop: no new rows, in-flight rows cancelled. */
  stopping?: string;
  nextRow: number;
  counts: StatusCounts;
  /** Row ids in flight → row number. */
  inFlight: Record<string, number>;
  /** The window and pause state the batch set while running (absent: the plan's window, not paused). */
  window?: number;
  paused?: boolean;
  /** When the partition's first run started (ms), for its rate and ETA. */
  startedAtMs?: number;
  /** The latest control change applied (PartitionControl.seq). */
  controlSeq?: number;
  /** Reports sent to the batch so far (they are budgeted: a run refuses its 10,001st signal). */
  reportsSent?: number;
}

export interface PartitionWorkflowOutput {
  partition: number;
  counts: StatusCounts;
}

/** The answer of the `partitionProgress` query. */
export interface PartitionProgress {
  partition: number;
  total: number;
  started: number;
  inFlight: number;
  counts: StatusCounts;
}

/** The batch tells a partition its pause state and window (`partitionControl` signal). */
export interface PartitionControl {
  paused: boolean;
  window: number;
  /** Increases with every change: a partition ignores a change older than one it already applied. */
  seq?: number;
}

/** A partition tells the batch where it is, at most every few seconds (`partitionReport` signal). */
export interface PartitionReport {
  partition: number;
  counts: StatusCounts;
  inFlight: number;
}
