import type { BatchSpec, ItemSettings } from '../shared/batch-spec.js';
import type { RedriveStatus } from '../shared/redrive.js';
import type { OutputRecord, ResultLine } from '../shared/results-format.js';
import type { StatusCounts } from '../shared/status.js';

/**
 * The activities' contract: the input and output of every activity. Workflows import these as types only. They
 * carry references and settings, never credentials (those stay in the worker's environment).
 */

// ---- the batch: prepareManifest, exportResults, fetchManifest ----

export interface PrepareManifestInput {
  spec: BatchSpec;
}

export interface PrepareManifestOutput {
  rowCount: number;
  mapping: Record<string, string>;
}

export interface ExportResultsInput {
  spec: BatchSpec;
  /** Why the batch stopped early, when it did. */
  stopped?: string;
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

/** A schedule fire's manifest: an http(s) URL fetched now, or a path read on the worker, put into the batch's storage. */
export interface FetchManifestInput {
  source: string;
  storage: string;
  key: string;
}

export interface FetchManifestOutput {
  key: string;
  /** The local path written, for a fire of 0.1 (which asked for one). */
  path?: string;
  bytes: number;
  sha256: string;
}

// ---- partitions: row keys and recorded results ----

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

export interface ReadItemResultInput {
  storage: string;
  id: string;
}

// ---- redrive ----

export interface BeginRedriveInput {
  storage: string;
  /** The redriving batch run: a retried activity gets the generation it already handed out. */
  runId: string;
  statuses: RedriveStatus[];
}

export interface BeginRedriveOutput {
  generation: number;
}

export interface LoadRedriveKeysInput extends LoadRowKeysInput {
  statuses: RedriveStatus[];
}

// ---- a row: submitRun, awaitRun, collectOutputs, cancelRun, recordResult ----

export interface SubmitRunInput {
  row: number;
  id: string;
  storage: string;
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
  storage: string;
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
  storage: string;
  settings: ItemSettings;
  outputs: RunSnapshotLite['outputs'];
}

export interface CancelRunInput {
  runId: string;
  settings: ItemSettings;
}

export interface RecordResultInput {
  storage: string;
  line: Omit<ResultLine, 'inputs'>;
  id: string;
  /** The partition to tell that this row is done (`itemDone` signal). */
  partitionWorkflowId: string;
}
