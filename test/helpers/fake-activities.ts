import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { createActivities } from '../../src/activities/index.js';
import { itemDoneSignal } from '../../src/shared/messages.js';
import { exceedsThreshold, parseMaxFailures } from '../../src/shared/plan.js';
import { emptyCounts, failureCount, type FinalItemStatus } from '../../src/shared/status.js';

type Activities = ReturnType<typeof createActivities>;
type In<K extends keyof Activities> = Parameters<Activities[K]>[0];
type Out<K extends keyof Activities> = Awaited<ReturnType<Activities[K]>>;
type Snapshot = Out<'awaitRun'>;

/** The activities a batch, its partitions and its rows call (redrive's aside), under their real names. */
export type FakeActivities = Pick<
  Activities,
  | 'prepareManifest'
  | 'loadRowKeys'
  | 'readItemResult'
  | 'submitRun'
  | 'awaitRun'
  | 'collectOutputs'
  | 'cancelRun'
  | 'recordResult'
  | 'exportResults'
>;

export interface FakeRowsOptions {
  /** Rows in the manifest (1..rows). */
  rows: number;
  /** Rows whose provider run fails. */
  failRows?: readonly number[];
  /** Each run takes this long (wall-clock ms) before it ends. */
  runMs?: number;
  /** Runs wait for `release()` before they end. */
  hold?: boolean;
}

/**
 * A manifest of `rows` rows and a provider, in memory, behind plain functions registered under the real activity
 * names: it records what the workflows asked for (rows submitted, pages loaded, runs cancelled, results recorded)
 * and how many rows ran at once (from submit to recorded result, a span inside the row's time in flight).
 */
export class FakeRows {
  readonly submitted: number[] = [];
  readonly pages: [number, number][] = [];
  readonly cancelledRuns: string[] = [];
  readonly recorded = new Map<number, { status: FinalItemStatus; partitionWorkflowId: string }>();
  running = 0;
  maxRunning = 0;
  private hold: boolean;
  private readonly failRows: ReadonlySet<number>;
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly opts: FakeRowsOptions) {
    this.hold = opts.hold ?? false;
    this.failRows = new Set(opts.failRows ?? []);
  }

  /** Rows whose run waits for `release()`, in row order. */
  get held(): number[] {
    return [...this.waiting.keys()].sort((a, b) => a - b);
  }

  /** Ends the held runs of `rows`. */
  release(...rows: number[]): void {
    for (const row of rows) {
      this.waiting.get(row)?.();
      this.waiting.delete(row);
    }
  }

  /** Ends every held run, and holds no run from now on. */
  releaseAll(): void {
    this.hold = false;
    this.release(...this.waiting.keys());
  }

  /** Statuses of the recorded results, by row. */
  statuses(): Record<number, FinalItemStatus> {
    return Object.fromEntries([...this.recorded].map(([row, r]) => [row, r.status]));
  }

  activities(): FakeActivities {
    return {
      prepareManifest: () => Promise.resolve({ rowCount: this.opts.rows, mapping: {} }),
      loadRowKeys: ({ from, to }: In<'loadRowKeys'>) => {
        this.pages.push([from, to]);
        const keys = [];
        for (let row = from; row <= Math.min(to, this.opts.rows); row++)
          keys.push({ row, id: rowId(row), key: `sku-${row}` });
        return Promise.resolve(keys);
      },
      readItemResult: ({ id }: In<'readItemResult'>) => {
        const done = this.recorded.get(rowOf(id));
        return Promise.resolve(done ? { status: done.status } : null);
      },
      submitRun: ({ row }: In<'submitRun'>) => {
        this.submitted.push(row);
        this.running += 1;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        const submittedAt = new Date().toISOString();
        return Promise.resolve({
          outcome: 'created' as const,
          runId: runId(row),
          submittedAt,
          attempts: 1,
          snapshot: null,
        });
      },
      awaitRun: async ({ id }: In<'awaitRun'>) => {
        const row = rowOf(id);
        if (this.opts.runMs) await sleep(this.opts.runMs);
        if (this.hold) await new Promise<void>((resolve) => this.waiting.set(row, resolve));
        return snapshot(row, this.failRows.has(row) ? 'failed' : 'succeeded');
      },
      collectOutputs: () => Promise.resolve([]),
      cancelRun: ({ runId: id }: In<'cancelRun'>) => {
        this.cancelledRuns.push(id);
        return Promise.resolve(snapshot(rowOf(id), 'cancelled'));
      },
      recordResult: async ({ line, id, partitionWorkflowId }: In<'recordResult'>) => {
        this.running -= 1;
        this.recorded.set(line.row, { status: line.status, partitionWorkflowId });
        await signalItemDone(partitionWorkflowId, { row: line.row, id, status: line.status });
      },
      exportResults: (input: In<'exportResults'>) => Promise.resolve(this.export(input)),
    };
  }

  /** Like the real export: one line per row, `skipped` for a row with no recorded result. */
  private export(input: In<'exportResults'>): Out<'exportResults'> {
    const counts = emptyCounts();
    for (let row = 1; row <= this.opts.rows; row++) counts[this.recorded.get(row)?.status ?? 'skipped'] += 1;
    const { maxFailures } = input.spec.tuning;
    const threshold = maxFailures ? parseMaxFailures(maxFailures) : null;
    return {
      counts,
      rowCount: this.opts.rows,
      resultsPath: 'results.jsonl',
      csvPath: 'results.csv',
      summaryPath: 'summary.json',
      outDir: null,
      overThreshold: exceedsThreshold(failureCount(counts), this.opts.rows, threshold),
    };
  }
}

/**
 * Tells the partition that the row is done. The test server's continue-as-new is not atomic (temporalio/sdk-java
 * issue 1538): a signal sent while the partition continues as new can fail with NotFound, where Temporal itself
 * would deliver it to the new run (workflows' own signals, such as the batch's stop, fail the same way, and
 * workflow code takes that failure as "closed": tests keep such a signal away from a continue-as-new). So NotFound is tried again for a while before it is taken, like the real
 * recordResult takes it, for a partition that has closed (and so has counted this row already).
 */
async function signalItemDone(partitionWorkflowId: string, done: { row: number; id: string; status: FinalItemStatus }) {
  const partition = Context.current().client.workflow.getHandle(partitionWorkflowId);
  for (let attempt = 1; ; attempt++) {
    try {
      return await partition.signal(itemDoneSignal, done);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      if (attempt === 40) return;
      await sleep(25);
    }
  }
}

/** The row id (workflow id suffix) of manifest row `row`. */
export function rowId(row: number): string {
  return `r${row}`;
}

function runId(row: number): string {
  return `run-${row}`;
}

/** The row of a row id or a run id. */
function rowOf(id: string): number {
  return Number(/(\d+)$/.exec(id)?.[1]);
}

function snapshot(row: number, state: 'succeeded' | 'failed' | 'cancelled'): Snapshot {
  return {
    runId: runId(row),
    state,
    terminal: true,
    providerStatus: state,
    errorMessage: state === 'failed' ? 'the fake run failed' : null,
    outputs: [],
    records: null,
    collected: [],
  };
}

/** Polls `check` (every 20 ms, up to `timeoutMs`) until it returns true; fails naming `what` it waited for. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(20);
  }
}
