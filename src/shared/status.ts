/**
 * Row states. The final ones are written to results.jsonl; the live ones are only shown while a row runs
 * (progress, `DurabatchItemStatus`).
 */
export const FINAL_ITEM_STATUSES = [
  'succeeded',
  'failed',
  'partial',
  'needs_input',
  'submit_unknown',
  'cancelled',
  'skipped',
] as const;
export type FinalItemStatus = (typeof FINAL_ITEM_STATUSES)[number];

/** `pending`: not started at the provider yet (also while a start is throttled); `running`: the run exists. */
export const LIVE_ITEM_STATUSES = ['pending', 'running'] as const;
export type LiveItemStatus = (typeof LIVE_ITEM_STATUSES)[number];

export type ItemStatus = FinalItemStatus | LiveItemStatus;

/** Final states that count as a failure for `--max-failures` and the exit code. */
export const FAILURE_STATUSES: readonly FinalItemStatus[] = ['failed', 'submit_unknown', 'needs_input', 'cancelled'];

export type StatusCounts = Record<FinalItemStatus, number>;

export function emptyCounts(): StatusCounts {
  return { succeeded: 0, failed: 0, partial: 0, needs_input: 0, submit_unknown: 0, cancelled: 0, skipped: 0 };
}

export function addCounts(a: StatusCounts, b: StatusCounts): StatusCounts {
  const out = emptyCounts();
  for (const s of FINAL_ITEM_STATUSES) out[s] = a[s] + b[s];
  return out;
}

export function totalDone(c: StatusCounts): number {
  let n = 0;
  for (const s of FINAL_ITEM_STATUSES) n += c[s];
  return n;
}

export function failureCount(c: StatusCounts): number {
  let n = 0;
  for (const s of FAILURE_STATUSES) n += c[s];
  return n;
}

/** Whether a finished run has anything to download or keep (a URL or a text); workflow and activities both ask. */
export function hasOutputs(snapshot: { outputs: readonly { url: string | null; text: string | null }[] }): boolean {
  return snapshot.outputs.some((o) => o.url !== null || o.text !== null);
}
