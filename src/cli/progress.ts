import type { Client, WorkflowHandle } from '@temporalio/client';
import cliProgress from 'cli-progress';
import { batchProgressQuery, partitionProgressQuery } from '../shared/messages.js';
import { addCounts, emptyCounts, failureCount, totalDone, type StatusCounts } from '../shared/status.js';
import type { BatchProgress } from '../shared/batch-contract.js';
import type { PartitionProgress } from '../shared/partition-contract.js';

/** What a batch looks like right now, summed over its partitions. */
export interface BatchSnapshot {
  stage: BatchProgress['stage'];
  rowCount: number | null;
  counts: StatusCounts;
  inFlight: number;
  /** Rows whose run waits for a person's input right now (from visibility; null when unknown). */
  waitingForInput?: number | null;
  /** Pause and concurrency as last set (`durabatch pause|resume|set-concurrency`). */
  control?: BatchProgress['control'];
}

/** Counts the batch's running rows that wait for input (DurabatchItemStatus kept current by each item). */
export async function countWaitingForInput(client: Client, batchId: string): Promise<number | null> {
  try {
    const { count } = await client.workflow.count(
      `DurabatchBatchId="${batchId}" AND DurabatchItemStatus="needs_input" AND ExecutionStatus="Running"`,
    );
    return count;
  } catch {
    return null;
  }
}

/** Asks the batch and each partition for their progress (queries: no history, answered by a worker). */
export async function snapshotBatch(
  client: { workflow: { getHandle(id: string): WorkflowHandle } },
  batchId: string,
): Promise<BatchSnapshot> {
  const batch = await client.workflow.getHandle(batchId).query(batchProgressQuery);
  const control = batch.control ? { control: batch.control } : {};
  if (batch.result)
    return { stage: batch.stage, rowCount: batch.rowCount, counts: batch.result.counts, inFlight: 0, ...control };
  const parts = await Promise.all(
    batch.partitionIds.map((id) =>
      client.workflow
        .getHandle(id)
        .query(partitionProgressQuery)
        .catch((): PartitionProgress | null => null),
    ),
  );
  const { counts, inFlight } = sumPartitions(batch, parts);
  return { stage: batch.stage, rowCount: batch.rowCount, counts, inFlight, ...control };
}

/**
 * Adds up the partitions' answers. A partition whose query did not answer (a loaded server, a continue-as-new under
 * way) counts with its latest report to the batch, so the total never drops back.
 */
export function sumPartitions(
  batch: Pick<BatchProgress, 'partitionIds' | 'reports'>,
  answers: readonly (Pick<PartitionProgress, 'counts' | 'inFlight'> | null)[],
): { counts: StatusCounts; inFlight: number } {
  const reported = new Map((batch.reports ?? []).map((r) => [r.partition, r]));
  let counts = emptyCounts();
  let inFlight = 0;
  for (const [k, answer] of answers.entries()) {
    const part = answer ?? reported.get(partitionNumber(batch.partitionIds[k]) ?? -1);
    if (!part) continue;
    counts = addCounts(counts, part.counts);
    inFlight += part.inFlight;
  }
  return { counts, inFlight };
}

/** `<batchId>/p3` → 3. */
function partitionNumber(workflowId: string | undefined): number | null {
  const m = /\/p(\d+)$/.exec(workflowId ?? '');
  return m ? Number(m[1]) : null;
}

/** Rate over a sliding window of observations, and the ETA it implies. */
export class RateMeter {
  private readonly points: { t: number; done: number }[] = [];
  constructor(private readonly windowMs = 30_000) {}

  observe(done: number, now = Date.now()): void {
    this.points.push({ t: now, done });
    while (this.points.length > 2 && now - (this.points[0]?.t ?? now) > this.windowMs) this.points.shift();
  }

  rate(): number {
    const first = this.points[0];
    const last = this.points[this.points.length - 1];
    if (!first || !last || last.t === first.t) return 0;
    return ((last.done - first.done) * 1000) / (last.t - first.t);
  }

  etaSeconds(remaining: number): number | null {
    const r = this.rate();
    return r > 0 ? Math.round(remaining / r) : null;
  }
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return '--';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** Renders progress as a live bar on a terminal, or as a plain line every few seconds elsewhere. */
export class ProgressView {
  private bar: cliProgress.SingleBar | null = null;
  private lastLine = 0;
  private readonly meter = new RateMeter();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  update(s: BatchSnapshot): void {
    const done = totalDone(s.counts);
    this.meter.observe(done);
    const total = s.rowCount ?? 0;
    const fields = {
      failed: failureCount(s.counts),
      inflight: s.inFlight,
      rate: this.meter.rate().toFixed(1),
      etaText: formatEta(this.meter.etaSeconds(total - done)),
      stage: s.stage,
      waiting:
        (s.waitingForInput ? ` | ${s.waitingForInput} waiting for input` : '') + (s.control?.paused ? ' | PAUSED' : ''),
    };
    if (this.out.isTTY) return this.renderBar(done, total, fields);
    const now = Date.now();
    if (now - this.lastLine < 5_000 && done < total) return;
    this.lastLine = now;
    this.out.write(
      `${this.label}: ${done}/${total} done · ${fields.failed} failed · ${fields.inflight} in flight${fields.waiting.replace(' |', ' ·')} · ${fields.rate}/s · ETA ${fields.etaText}\n`,
    );
  }

  private renderBar(done: number, total: number, fields: Record<string, unknown>): void {
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${this.label} {bar} {value}/{total} done | {failed} failed | {inflight} in flight{waiting} | {rate}/s | ETA {etaText}`,
          stream: this.out,
          hideCursor: true,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, done, fields);
    }
    this.bar.setTotal(total);
    this.bar.update(done, fields);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
