import { setCurrentDetails } from '@temporalio/workflow';
import { failureCount, totalDone, type StatusCounts } from '../shared/status.js';

/**
 * What the Web UI shows as a batch's and a partition's live details (`setCurrentDetails`), in one place. Workflow
 * code: reads workflow time only.
 */

/** "4.2 rows/s · ETA 3m 10s" from rows done since `sinceMs` (workflow time). */
export function rateAndEta(done: number, total: number, sinceMs: number | undefined): string {
  const seconds = sinceMs === undefined ? 0 : (Date.now() - sinceMs) / 1000;
  if (done === 0 || seconds <= 0) return 'rate — · ETA —';
  const rate = done / seconds;
  const left = Math.max(0, total - done) / rate;
  const eta = left >= 60 ? `${Math.floor(left / 60)}m ${Math.round(left % 60)}s` : `${Math.round(left)}s`;
  return `${rate.toFixed(rate >= 10 ? 0 : 1)} rows/s · ETA ${eta}`;
}

function countsLine(counts: StatusCounts, total: number, inFlight: number): string {
  return (
    `done ${totalDone(counts)}/${total} · succeeded ${counts.succeeded} · failed ${failureCount(counts)} · ` +
    `in flight ${inFlight}`
  );
}

export interface BatchDetails {
  manifestName: string;
  rows: number;
  partitions: number;
  paused: boolean;
  pausedReason: string | null;
  concurrency: number;
  counts: StatusCounts;
  inFlight: number;
  sinceMs: number | undefined;
}

export function showBatchDetails(d: BatchDetails): void {
  const flow = d.paused
    ? `**paused**${d.pausedReason ? ` (${d.pausedReason})` : ''}: rows in flight finish, none start`
    : `concurrency ${d.concurrency}`;
  setCurrentDetails(
    `**${d.manifestName}** · ${d.rows} rows · ${d.partitions} partition(s) · ${flow}\n\n` +
      `${countsLine(d.counts, d.rows, d.inFlight)}\n\n` +
      rateAndEta(totalDone(d.counts), d.rows, d.sinceMs),
  );
}

export interface PartitionDetails {
  partition: number;
  firstRow: number;
  lastRow: number;
  paused: boolean;
  window: number;
  counts: StatusCounts;
  inFlight: number;
  sinceMs: number | undefined;
}

export function showPartitionDetails(d: PartitionDetails): void {
  const total = d.lastRow - d.firstRow + 1;
  const flow = d.paused ? 'paused (rows in flight finish, none start)' : `window ${d.window}`;
  setCurrentDetails(
    `**Partition ${d.partition}** rows ${d.firstRow}–${d.lastRow} · ${flow}\n\n` +
      `${countsLine(d.counts, total, d.inFlight)}\n\n${rateAndEta(totalDone(d.counts), total, d.sinceMs)}`,
  );
}
