import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionProgressQuery } from '../../src/shared/messages.js';
import {
  batchInput,
  readResults,
  startBatch,
  startHarness,
  uniqueId,
  writeManifest,
  type Harness,
} from '../helpers/harness.js';
import { runCli, waitFor } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

const ROWS = 40;

/** `durabatch pause`, `resume` and `set-concurrency` on a running batch: Updates that take effect at once. */
describe('live control of a running batch', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await startHarness('control', { runDurationMs: { min: 800, max: 1500 } });
    env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
    await h.startWorker();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('pauses (rows in flight finish, none start), resumes at a new concurrency, and finishes every row', async () => {
    const batchId = uniqueId('control');
    const manifest = await writeManifest(h.dir, ROWS, { name: `${batchId}.csv` });
    const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: 8, pageSize: 100 }));
    await waitFor('the first rows to start', () => h.sim.counters().runsCreated >= 8);

    const paused = await runCli(['pause', batchId, '--reason', 'budget check'], env);
    expect(paused.code, paused.output).toBe(0);
    expect(paused.output).toContain('paused: rows in flight finish');

    // The rows in flight drain; then nothing new starts while paused.
    const partition = h.client.workflow.getHandle(`${batchId}/p0`);
    await waitFor(
      'the rows in flight to finish',
      async () => (await partition.query(partitionProgressQuery)).inFlight === 0,
    );
    const startedWhilePaused = h.sim.counters().runsCreated;
    expect(startedWhilePaused).toBeLessThan(ROWS);
    const status = await runCli(['status', batchId, '--json'], env);
    const parsed = JSON.parse(status.output.slice(status.output.indexOf('{'))) as { paused: boolean; done: number };
    expect(parsed.paused).toBe(true);
    expect(parsed.done).toBe(startedWhilePaused);
    await new Promise((r) => setTimeout(r, 3_000)); // a paused batch stays put
    expect(h.sim.counters().runsCreated).toBe(startedWhilePaused);

    const resized = await runCli(['set-concurrency', batchId, '3'], env);
    expect(resized.code, resized.output).toBe(0);
    expect(resized.output).toContain('paused'); // still paused until resumed
    h.sim.resetCounters();
    const resumed = await runCli(['resume', batchId], env);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toContain('running at concurrency 3');

    const result = await handle.result();
    const lines = await readResults(result.resultsPath);
    expect(lines.map((l) => l.status)).toEqual(lines.map(() => 'succeeded'));
    const after = h.sim.counters();
    expect(after.runsCreated).toBe(ROWS - startedWhilePaused);
    expect(after.peakActiveRuns).toBeLessThanOrEqual(3);
    expect(after.peakActiveRuns).toBeGreaterThanOrEqual(2);
  });

  it('tells the story in the Web UI: a summary on every workflow and activity', async () => {
    const batchId = uniqueId('story');
    const manifest = await writeManifest(h.dir, 2, { name: `${batchId}.csv` });
    await (await startBatch(h, batchInput(h, manifest, batchId))).result();
    for (const id of [`${batchId}/p0`, `${batchId}/SKU-1`]) {
      const handle = h.client.workflow.getHandle(id);
      const described = await handle.describe();
      expect((await described.staticSummary()) ?? '', id).not.toBe('');
      const history = await handle.fetchHistory();
      const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
      expect(scheduled.length, id).toBeGreaterThan(0);
      for (const event of scheduled) {
        const summary = event.userMetadata?.summary;
        const type = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        expect(summary ? defaultPayloadConverter.fromPayload<string>(summary) : '', `${id} ${type}`).toMatch(/\w+ \w+/);
      }
    }
    const item = await h.client.workflow.getHandle(`${batchId}/SKU-2`).describe();
    expect(await item.staticSummary()).toContain('row 2 · SKU-2');
  });

  it('refuses changes it cannot make, with the reason', async () => {
    const batchId = uniqueId('control-done');
    const manifest = await writeManifest(h.dir, 2, { name: `${batchId}.csv` });
    await (await startBatch(h, batchInput(h, manifest, batchId))).result();
    const late = await runCli(['pause', batchId], env);
    expect(late.code).toBe(2);
    expect(late.output).toContain(`batch ${batchId} has finished (COMPLETED)`);
    const zero = await runCli(['set-concurrency', batchId, '0'], env);
    expect(zero.code).toBe(2);
    expect(zero.output).toContain('expected a whole number of at least 1');
    const missing = await runCli(['resume', 'no-such-batch'], env);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain("no running batch 'no-such-batch'");
  });
});
