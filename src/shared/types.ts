import type { ProviderName } from './constants.js';
import type { DeliveryMode } from './delivery.js';
import type { RedriveRequest } from './redrive.js';
import type { FinalItemStatus, StatusCounts } from './status.js';

/**
 * Inputs and outputs of every workflow and activity. They carry references, offsets and counters only:
 * manifest rows live in the batch's storage, credentials in the worker's environment.
 */

export type AmbiguousSubmitPolicy = 'hold' | 'resubmit';

/** Settings every row of a batch shares. */
export interface ItemSettings {
  provider: ProviderName;
  app: string;
  storage: string;
  /** Seconds per long-poll request (Lamina: 1..120). */
  waitSeconds: number;
  /** Give up waiting on a run after this long (ms). */
  itemTimeoutMs: number;
  onAmbiguousSubmit: AmbiguousSubmitPolicy;
  /** How long a run may wait for a person's input (Artu `waiting_for_input`) before the row ends `needs_input`. */
  inputDeadlineMs?: number;
  /** Pause between status reads for providers that are polled (never below the provider's own guidance). */
  pollIntervalMs?: number;
  /** Tell the batch about every failed row (set when --max-failures asks the batch to stop early). */
  reportFailures?: boolean;
  /** How rows learn that their run finished (--delivery); absent means the provider's default. */
  delivery?: DeliveryMode;
  /** With delivery `webhook`: the receiver's base URL as the provider reaches it (--webhook-base-url). */
  webhookBaseUrl?: string;
  /** With delivery `webhook`: re-read the run when no webhook came for this long (--webhook-fallback-after). */
  webhookFallbackMs?: number;
  /** The batch run's generation: absent for the first run, then 1, 2, … per `durabatch redrive`. */
  generation?: number;
}

/** Sent by the webhook receiver to a row's item workflow: a wake-up call, never trusted data. */
export interface RunFinishedSignal {
  runId: string;
  token: string;
  /** The provider's status word as the webhook said it (for the log; the workflow re-reads the run). */
  status: string;
}

export interface RowFailedSignal {
  id: string;
}

export interface StopSignal {
  reason: string;
}

export interface BatchWorkflowInput {
  batchId: string;
  manifestPath: string;
  manifestName: string;
  format?: 'csv' | 'json' | 'jsonl';
  keyColumn?: string;
  omit: string[];
  map: Record<string, string>;
  concurrency: number;
  /** Absolute number of failed rows tolerated, or a share of rows ("10%"). */
  maxFailures?: string;
  outDir?: string;
  pageSize: number;
  /** Overrides the partition count chosen from rows and concurrency. */
  partitions?: number;
  item: ItemSettings;
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

/** The batch tells a partition its pause state and window. */
export interface PartitionControl {
  paused: boolean;
  window: number;
  /** Increases with every change: a partition ignores a change older than one it already applied. */
  seq?: number;
}

/** A partition tells the batch where it is (at most every few seconds), for the batch's live details. */
export interface PartitionReport {
  partition: number;
  counts: StatusCounts;
  inFlight: number;
}

export interface PartitionState {
  /** Set once the batch asked this partition to stop: no new rows, in-flight rows cancelled. */
  stopping?: string;
  nextRow: number;
  counts: StatusCounts;
  /** Row ids in flight → row number. */
  inFlight: Record<string, number>;
  /** The window and pause state the batch set while running (absent: the input's window, not paused). */
  window?: number;
  paused?: boolean;
  /** When the partition's first run started (ms), for its rate and ETA. */
  startedAtMs?: number;
  /** The latest control change applied (PartitionControl.seq). */
  controlSeq?: number;
  /** Reports sent to the batch so far (they are budgeted: a run refuses its 10,001st signal). */
  reportsSent?: number;
}

export interface PartitionWorkflowInput {
  batchId: string;
  partition: number;
  /** First row (1-based, inclusive) and last row (inclusive) of this partition. */
  firstRow: number;
  lastRow: number;
  window: number;
  pageSize: number;
  item: ItemSettings;
  state?: PartitionState;
  redrive?: RedriveRequest;
  /** Start paused (the batch was paused before its partitions started). */
  paused?: boolean;
  /** How many partitions the batch has (their reports share one budget). */
  partitionCount?: number;
  /** Report failed rows to the batch promptly (it has a --max-failures threshold to watch). */
  reportFailures?: boolean;
}

export interface PartitionWorkflowOutput {
  partition: number;
  counts: StatusCounts;
}

export interface PartitionProgress {
  partition: number;
  total: number;
  started: number;
  inFlight: number;
  counts: StatusCounts;
}

export interface ItemWorkflowInput {
  batchId: string;
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

export interface ItemDoneSignal {
  row: number;
  id: string;
  status: FinalItemStatus;
}

/** One output of a row as written to results (paths relative to the results file's folder). */
export interface OutputRecord {
  label: string;
  type: string;
  url: string | null;
  path: string | null;
  sha256: string | null;
  bytes: number | null;
  text?: string;
}

export interface ResultError {
  code: string;
  message: string;
}

/** The results.jsonl line (design.md, "Storage and results"). */
export interface ResultLine {
  row: number;
  key: string;
  status: FinalItemStatus;
  provider: ProviderName;
  runId: string | null;
  attempts: number;
  error: ResultError | null;
  outputs: OutputRecord[];
  inputs: Record<string, unknown>;
  submittedAt: string | null;
  finishedAt: string | null;
  records?: unknown[];
  /** The run-start's answer was lost, and its run was found in the provider's list and adopted (issue 5). */
  adopted?: true;
}

// ---- activities ----

export interface PrepareManifestInput {
  batchId: string;
  manifestPath: string;
  format?: 'csv' | 'json' | 'jsonl';
  keyColumn?: string;
  omit: string[];
  map: Record<string, string>;
  provider: ProviderName;
  app: string;
  storage: string;
}

export interface PrepareManifestOutput {
  rowCount: number;
  mapping: Record<string, string>;
}

export interface LoadRowKeysInput {
  storage: string;
  from: number;
  to: number;
}

export interface RowKey {
  row: number;
  id: string;
  key: string;
}

export interface SubmitRunInput {
  row: number;
  id: string;
  settings: ItemSettings;
  /** Where the provider should POST when the run ends (--delivery webhook); it carries the row's token. */
  webhookUrl?: string;
}

export type SubmitRunOutput =
  | {
      outcome: 'created';
      runId: string;
      submittedAt: string;
      attempts: number;
      snapshot: RunSnapshotLite | null;
      /** The start's answer was lost and the run was found in the provider's list instead. */
      adopted?: true;
    }
  | { outcome: 'unknown'; submittedAt: string; attempts: number; reason: string };

/** The parts of a provider snapshot a workflow needs. */
export interface RunSnapshotLite {
  runId: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'partial' | 'cancelled' | 'needs_input';
  terminal: boolean;
  providerStatus: string;
  errorMessage: string | null;
  outputs: {
    label: string;
    type: string;
    url: string | null;
    text: string | null;
    status: string;
    error: string | null;
  }[];
  records: unknown[] | null;
  /**
   * With `collect`: the outputs, already downloaded by the same activity that saw the run finish. Absent when the
   * run has nothing to download, or when that download did not work out (the row then runs `collectOutputs`).
   */
  collected?: OutputRecord[];
}

export interface AwaitRunInput {
  runId: string;
  id: string;
  settings: ItemSettings;
  /** Return as soon as the run waits for a person's input (so the row can show it), instead of waiting on. */
  returnOnNeedsInput?: boolean;
  /** One status read, returned whatever the run's state (webhook delivery's check), instead of waiting. */
  once?: boolean;
  /**
   * Once the run has finished, download its outputs in this same activity (one task and one workflow task fewer
   * per row); any trouble there is left to the separate `collectOutputs`, with its own retries.
   */
  collect?: boolean;
}

export interface CollectOutputsInput {
  runId: string;
  id: string;
  settings: ItemSettings;
  outputs: RunSnapshotLite['outputs'];
}

export interface RecordResultInput {
  storage: string;
  line: Omit<ResultLine, 'inputs'>;
  id: string;
  /** The partition to tell that this row is done (`itemDone` signal). */
  partitionWorkflowId: string;
  /** The batch to tell about a failed row (`rowFailed` signal), when it stops on --max-failures. */
  reportFailureTo?: string;
}

export interface ReadItemResultInput {
  storage: string;
  id: string;
}

export interface CancelRunInput {
  runId: string;
  settings: ItemSettings;
}

export interface ExportResultsInput {
  batchId: string;
  stopped?: string;
  storage: string;
  outDir?: string;
  provider: ProviderName;
  app: string;
  maxFailures?: string;
}

export interface ExportResultsOutput {
  counts: StatusCounts;
  rowCount: number;
  resultsPath: string;
  csvPath: string;
  summaryPath: string;
  outDir: string | null;
  overThreshold: boolean;
}
