import type { FinalItemStatus } from './status.js';

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
