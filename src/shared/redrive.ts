import type { FinalItemStatus } from './status.js';
import type { BatchWorkflowInput, ItemSettings, LoadRowKeysInput, PartitionWorkflowInput } from './types.js';

/**
 * `durabatch redrive`: a new run of a closed batch workflow (same id, same storage) that runs again only the rows
 * whose recorded result has one of `statuses`, then exports every row's result again. Sandbox-safe types only.
 */

/** Recorded row states a redrive may run again (`--failed`, `--unknown`). */
export const REDRIVE_STATUSES = ['failed', 'submit_unknown'] as const satisfies readonly FinalItemStatus[];
export type RedriveStatus = (typeof REDRIVE_STATUSES)[number];

export interface RedriveRequest {
  statuses: RedriveStatus[];
}

export type RedriveBatchInput = BatchWorkflowInput;
export type RedrivePartitionInput = PartitionWorkflowInput;

/**
 * Item settings with the batch's run generation: 0 (absent) for the first run, then 1, 2, … per redrive. A submit
 * record of an older generation is superseded by one fresh run-start; one of this generation is never re-sent.
 */
export type GenerationSettings = ItemSettings;

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
