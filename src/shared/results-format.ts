import type { ProviderName } from './constants.js';
import type { FinalItemStatus } from './status.js';

/**
 * The results file's format: one `ResultLine` per manifest row, in manifest order, in results.jsonl (and flattened
 * in results.csv). A public contract with every user's scripts: fields are added, never renamed or removed.
 */

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

/** The results.jsonl line (README, "Results"). */
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
  /** The run-start's answer was lost, and its run was found in the provider's list and adopted. */
  adopted?: true;
}
