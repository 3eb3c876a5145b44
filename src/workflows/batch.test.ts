import { describe, expect, it } from 'vitest';
import { eventually, FakeRows } from '../../test/helpers/fake-activities.js';
import { workflowTests } from '../../test/helpers/workflow-tests.js';
import {
  batchProgressQuery,
  partitionProgressQuery,
  pauseUpdate,
  resumeUpdate,
  stopSignal,
} from '../shared/messages.js';

const t = workflowTests();

/** Rows from..to. */
const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

describe('batchWorkflow, with mocked activities on the time-skipping test server', { timeout: 30_000 }, () => {
  it('keeps the window full but never runs more rows at once than the concurrency', async () => {
    const fake = new FakeRows({ rows: 24, runMs: 100 });
    const result = await t.withWorker(fake, async (run) => {
      const batch = await run.startBatch({ concurrency: 4, pageSize: 5 });
      return batch.result();
    });
    expect(fake.maxRunning).toBe(4);
    expect(sorted(fake.submitted)).toEqual(rows(1, 24));
    expect(result.counts.succeeded).toBe(24);
  });

  it('starts no row while paused, lets the rows in flight finish, and runs the rest once resumed', async () => {
    const fake = new FakeRows({ rows: 12, hold: true });
    const result = await t.withWorker(fake, async (run) => {
      const batch = await run.startBatch({ concurrency: 3, pageSize: 5 });
      await eventually('3 rows run', () => fake.held.length === 3);
      expect((await batch.executeUpdate(pauseUpdate, { args: [{ reason: 'a test' }] })).paused).toBe(true);
      fake.release(...fake.held);

      const progress = await batch.query(batchProgressQuery);
      expect(progress).toMatchObject({ stage: 'running', rowCount: 12, control: { paused: true } });
      const partition = t.client.workflow.getHandle(progress.partitionIds[0] ?? '');
      await eventually(
        'the partition counted the 3 rows',
        async () => (await partition.query(partitionProgressQuery)).counts.succeeded === 3,
      );
      // Had the partition started rows when the three ended, it would have done so in that same workflow task.
      expect(await partition.query(partitionProgressQuery)).toMatchObject({ started: 3, inFlight: 0 });
      expect(sorted(fake.submitted)).toEqual([1, 2, 3]);

      expect((await batch.executeUpdate(resumeUpdate)).paused).toBe(false);
      fake.releaseAll();
      return batch.result();
    });
    expect(sorted(fake.submitted)).toEqual(rows(1, 12));
    expect(result.counts.succeeded).toBe(12);
  });

  it('cancels the rows in flight and starts no other row when the batch is cancelled', async () => {
    const fake = new FakeRows({ rows: 15, hold: true });
    const result = await t.withWorker(fake, async (run) => {
      const batch = await run.startBatch({ concurrency: 3, pageSize: 5 });
      await eventually('3 rows run', () => fake.held.length === 3);
      await batch.signal(stopSignal, { reason: 'cancelled by the test' });
      return batch.result();
    });
    expect(result.stopped).toBe('cancelled by the test');
    expect(sorted(fake.submitted)).toEqual([1, 2, 3]);
    expect(fake.cancelledRuns).toHaveLength(3);
    expect(fake.statuses()).toEqual({ 1: 'cancelled', 2: 'cancelled', 3: 'cancelled' });
    expect(result.counts).toMatchObject({ cancelled: 3, skipped: 12, succeeded: 0 });
  });

  it('stops once more rows failed than --max-failures allows: no row starts after that, the rows in flight are cancelled', async () => {
    // One page: a stop that meets the partition continuing as new can be lost on the test server (see FakeRows).
    const fake = new FakeRows({ rows: 12, failRows: rows(1, 12), hold: true });
    const result = await t.withWorker(fake, async (run) => {
      const batch = await run.startBatch({ concurrency: 2, pageSize: 50, maxFailures: '2' });
      await eventually('rows 1 and 2 run', () => fake.held.join() === '1,2');
      fake.release(1, 2);
      await eventually('rows 3 and 4 run', () => fake.held.join() === '3,4');
      expect((await batch.query(batchProgressQuery)).stopping).toBeNull(); // two failures are within the threshold
      await t.skipTime(2_000); // a failed row is reported within 2 s
      fake.release(3); // the third failure: the partition starts row 5 in its place, then reports
      return batch.result();
    });
    expect(result.stopped).toMatch(/--max-failures/);
    expect(result.overThreshold).toBe(true);
    expect(sorted(fake.submitted)).toEqual(rows(1, 5));
    expect(fake.statuses()).toEqual({ 1: 'failed', 2: 'failed', 3: 'failed', 4: 'cancelled', 5: 'cancelled' });
    expect(result.counts).toMatchObject({ failed: 3, cancelled: 2, skipped: 7 });
  });

  it('runs every row when the failures stay within --max-failures', async () => {
    const fake = new FakeRows({ rows: 10, failRows: [3, 7] });
    const result = await t.withWorker(fake, async (run) => {
      const batch = await run.startBatch({ concurrency: 2, pageSize: 3, maxFailures: '20%' });
      return batch.result();
    });
    expect(result.stopped).toBeNull();
    expect(result.overThreshold).toBe(false);
    expect(sorted(fake.submitted)).toEqual(rows(1, 10));
    expect(result.counts).toMatchObject({ succeeded: 8, failed: 2, skipped: 0 });
  });
});
