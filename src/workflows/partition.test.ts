import { describe, expect, it } from 'vitest';
import { eventually, FakeRows } from '../../test/helpers/fake-activities.js';
import { workflowTests } from '../../test/helpers/workflow-tests.js';
import { batchProgressQuery } from '../shared/messages.js';
import { emptyCounts } from '../shared/status.js';
import type { partitionWorkflow } from './index.js';

const t = workflowTests();

const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

/** The final output of a partition (the last run after its continues-as-new). */
function partitionResult(workflowId: string) {
  return t.client.workflow.getHandle<typeof partitionWorkflow>(workflowId).result();
}

describe('partitionWorkflow, run by a batch with mocked activities', { timeout: 30_000 }, () => {
  it('counts every row once across its continues-as-new, loading one page per run', async () => {
    const fake = new FakeRows({ rows: 23, failRows: [5, 11, 17], runMs: 20 });
    const { result, progress, partition } = await t.withWorker(fake, async (run) => {
      const batch = await run.startBatch({ concurrency: 3, pageSize: 4 });
      const result = await batch.result();
      const progress = await batch.query(batchProgressQuery);
      return { result, progress, partition: await partitionResult(progress.partitionIds[0] ?? '') };
    });
    expect(fake.pages).toEqual([
      [1, 4],
      [5, 8],
      [9, 12],
      [13, 16],
      [17, 20],
      [21, 23],
    ]);
    expect(fake.submitted).toHaveLength(23);
    expect(sorted(fake.submitted)).toEqual(rows(1, 23));
    expect(partition.counts).toEqual({ ...emptyCounts(), succeeded: 20, failed: 3 });
    expect(progress).toMatchObject({ stage: 'done', rowCount: 23, stopping: null, result });
  });

  it('reports its counts and rows in flight to the batch at the end of every page', async () => {
    const fake = new FakeRows({ rows: 10, failRows: [2], hold: true });
    const { reports, partition } = await t.withWorker(fake, async (run) => {
      const batch = await run.startBatch({ concurrency: 2, pageSize: 4 });
      const latestReport = async () => (await batch.query(batchProgressQuery)).reports ?? [];
      const reports = [];

      await eventually('rows 1 and 2 run', () => fake.held.join() === '1,2');
      fake.release(1, 2); // the partition starts rows 3 and 4, the end of its first page
      await eventually('rows 3 and 4 run', () => fake.held.join() === '3,4');
      await eventually('the batch has a report', async () => (await latestReport()).length > 0);
      reports.push(await latestReport());

      fake.release(3, 4);
      await eventually('rows 5 and 6 run', () => fake.held.join() === '5,6');
      fake.release(5, 6); // rows 7 and 8 end the second page
      await eventually('rows 7 and 8 run', () => fake.held.join() === '7,8');
      await eventually(
        'the batch has the second report',
        async () => (await latestReport())[0]?.counts.succeeded === 5,
      );
      reports.push(await latestReport());

      fake.releaseAll();
      const progress = await batch.query(batchProgressQuery);
      await batch.result();
      return { reports, partition: await partitionResult(progress.partitionIds[0] ?? '') };
    });
    expect(reports).toEqual([
      [{ partition: 0, counts: { ...emptyCounts(), succeeded: 1, failed: 1 }, inFlight: 2 }],
      [{ partition: 0, counts: { ...emptyCounts(), succeeded: 5, failed: 1 }, inFlight: 2 }],
    ]);
    expect(partition.counts).toEqual({ ...emptyCounts(), succeeded: 9, failed: 1 });
  });

  it('splits the rows into contiguous ranges, one per partition, within the batch concurrency', async () => {
    const fake = new FakeRows({ rows: 21, runMs: 50 });
    const { progress, outputs } = await t.withWorker(fake, async (run) => {
      const batch = await run.startBatch({ concurrency: 4, pageSize: 5, partitions: 2 });
      await batch.result();
      const progress = await batch.query(batchProgressQuery);
      return { progress, outputs: await Promise.all(progress.partitionIds.map(partitionResult)) };
    });
    expect(progress.partitionIds).toHaveLength(2);
    const rowsOf = (id: string) =>
      sorted([...fake.recorded].filter(([, r]) => r.partitionWorkflowId === id).map(([row]) => row));
    expect(progress.partitionIds.map(rowsOf)).toEqual([rows(1, 11), rows(12, 21)]);
    expect(outputs.map((o) => o.counts.succeeded)).toEqual([11, 10]);
    expect(fake.maxRunning).toBeLessThanOrEqual(4);
  });
});
