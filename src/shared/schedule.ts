import type { BatchSettings } from './batch-spec.js';

/**
 * Names and inputs of scheduled batches (`durabatch schedule …`). Sandbox-safe: used by scheduledBatchWorkflow and
 * by the CLI. The names are a wire contract, like those in constants.ts.
 */

export const SCHEDULED_BATCH_WORKFLOW = 'scheduledBatchWorkflow';

/** Failure types of a fire: the manifest URL could not be read; the batch ended with failures over its threshold. */
export const SCHEDULE_FAILURE_TYPES = {
  manifestFetch: 'ManifestFetchFailed',
  batchFailures: 'BatchFailures',
} as const;

/** A schedule name: it starts every fire's workflow id and batch id, so it keeps to their characters. */
export const SCHEDULE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The fixed argument of a schedule's action. Holds no credential: keys stay in the workers' environment. */
export interface ScheduledBatchInput {
  schedule: string;
  /** The manifest: an absolute path the workers can read, or an http(s) URL fetched at fire time. */
  source: { location: string; name: string };
  /** Absolute folder on the workers: each fire's batch lives in `<dataRoot>/<batchId>`. */
  dataRoot: string;
  settings: BatchSettings;
}

/** The workflow id the schedule's action is given; Temporal appends `-<scheduled time>` for each fire. */
export function fireWorkflowIdPrefix(schedule: string): string {
  return `schedule-${schedule}`;
}

/**
 * The batch id of one fire: `<schedule>-<scheduled time without colons>` (e.g. `nightly-2026-12-01T054300Z`) when
 * the fire's workflow id is the one Temporal gives (`schedule-<name>-<RFC 3339 time>`); otherwise the workflow id made
 * safe for file names, so a fire started by hand still gets an id of its own. Never equal to the fire's own id.
 */
export function fireBatchId(schedule: string, fireWorkflowId: string): string {
  const prefix = `${fireWorkflowIdPrefix(schedule)}-`;
  const stamp = fireWorkflowId.startsWith(prefix) ? fireWorkflowId.slice(prefix.length) : null;
  const raw = stamp !== null && stamp !== '' ? `${schedule}-${stamp}` : `${fireWorkflowId}-batch`;
  const safe = raw
    .replace(/:/g, '')
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return safe.slice(0, 100);
}

/** True for a manifest given as an http(s) URL (fetched at fire time) rather than a path. */
export function isManifestUrl(manifest: string): boolean {
  return /^https?:\/\//i.test(manifest);
}

/** A folder inside `root` (a batch inside the data root, a fire's copy inside --out), without node:path (workflow code). */
export function folderIn(root: string, name: string): string {
  return `${root.replace(/\/+$/, '')}/${name}`;
}
