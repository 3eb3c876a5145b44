/**
 * Pure planning helpers used by workflows (deterministic) and by the CLI (validation of flags).
 */

/** Rows a single partition should own at most before another partition pays off. */
export const ROWS_PER_PARTITION = 5_000;
/** A partition's window never drops below this, so small concurrencies keep one partition. */
export const MIN_WINDOW = 10;

export interface PartitionPlan {
  partition: number;
  firstRow: number;
  lastRow: number;
  window: number;
}

/**
 * Splits rows 1..rowCount into contiguous partitions and the concurrency into windows that add up to it.
 * More partitions spread history and workflow-task load; each must keep a useful window.
 */
export function planPartitions(rowCount: number, concurrency: number, override?: number): PartitionPlan[] {
  if (rowCount <= 0) return [];
  const byRows = Math.ceil(rowCount / ROWS_PER_PARTITION);
  const byWindow = Math.max(1, Math.floor(concurrency / MIN_WINDOW));
  const count = Math.max(1, Math.min(override ?? Math.min(byRows, byWindow), rowCount, concurrency));
  const plans: PartitionPlan[] = [];
  const baseRows = Math.floor(rowCount / count);
  const extraRows = rowCount % count;
  const windows = splitConcurrency(concurrency, count);
  let next = 1;
  for (let k = 0; k < count; k++) {
    const rows = baseRows + (k < extraRows ? 1 : 0);
    plans.push({ partition: k, firstRow: next, lastRow: next + rows - 1, window: windows[k] ?? 1 });
    next += rows;
  }
  return plans;
}

/** The concurrency split into `partitions` windows that add up to it (the first ones get the remainder). */
export function splitConcurrency(concurrency: number, partitions: number): number[] {
  const base = Math.floor(concurrency / partitions);
  const extra = concurrency % partitions;
  return Array.from({ length: partitions }, (_, k) => base + (k < extra ? 1 : 0));
}

/** Largest concurrency `set-concurrency` accepts (the worker's activity slots are the practical limit). */
export const MAX_CONCURRENCY = 10_000;

/** Null when `concurrency` can be set on a batch with `partitions` partitions, else what to do instead. */
export function concurrencyProblem(concurrency: number, partitions: number): string | null {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    return `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${concurrency}`;
  }
  if (concurrency < partitions) {
    return `this batch runs in ${partitions} partitions, each with at least one row in flight: set a concurrency of at least ${partitions}, or pause it`;
  }
  return null;
}

export type FailureThreshold = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

/** Parses `--max-failures N|P%`; returns null for an invalid value. */
export function parseMaxFailures(text: string): FailureThreshold | null {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (pct) {
    const value = Number(pct[1]);
    return value >= 0 && value <= 100 ? { kind: 'percent', value } : null;
  }
  if (/^\d+$/.test(text.trim())) return { kind: 'count', value: Number(text.trim()) };
  return null;
}

/** True when `failures` out of `rows` exceeds the threshold (no threshold: any failure exceeds it). */
export function exceedsThreshold(failures: number, rows: number, threshold: FailureThreshold | null): boolean {
  if (!threshold) return failures > 0;
  if (threshold.kind === 'count') return failures > threshold.value;
  return rows > 0 && (failures / rows) * 100 > threshold.value;
}

/** Splits 1-based rows into the page that holds `row`: [first, last]. */
export function pageBounds(row: number, pageSize: number, lastRow: number): [number, number] {
  const first = Math.floor((row - 1) / pageSize) * pageSize + 1;
  return [first, Math.min(first + pageSize - 1, lastRow)];
}
