import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../../src/providers/index.js';
import {
  batchInput,
  readResults,
  startBatch,
  startHarness,
  TEST_LAMINA_KEY,
  uniqueId,
  writeManifest,
  type Harness,
} from '../helpers/harness.js';
import { runCli, waitFor } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

describe('stopping a batch early', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('stop', { runDurationMs: { min: 1500, max: 2500 } });
    await h.startWorker();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stops starting rows once --max-failures is exceeded and cancels the runs in flight at the provider', async () => {
    const rows = 120;
    const manifest = await writeManifest(h.dir, rows, { failRows: [2, 3, 4, 5], name: 'failing.csv' });
    const batchId = uniqueId('maxfail');
    const input = batchInput(h, manifest, batchId, { concurrency: 6, maxFailures: '2' });
    const before = h.sim.counters().runsCreated;
    const result = await (await startBatch(h, input)).result();
    const lines = await readResults(result.resultsPath);

    expect(result.stopped).toContain('--max-failures');
    expect(result.overThreshold).toBe(true);
    expect(lines).toHaveLength(rows);
    const by = (s: string) => lines.filter((l) => l.status === s);
    expect(by('failed').length).toBeGreaterThanOrEqual(3);
    expect(by('skipped').length).toBeGreaterThan(rows / 2);
    for (const l of by('skipped')) expect(l.runId).toBeNull();
    expect(h.sim.counters().runsCreated - before).toBe(rows - by('skipped').length);
    const adapter = createAdapter('lamina', h.env);
    expect(by('cancelled').length).toBeGreaterThan(0);
    for (const l of by('cancelled')) {
      expect((await adapter.getRun(l.runId ?? '')).providerStatus, `row ${l.row}`).toBe('cancelled');
    }
  });

  it('stops on `durabatch cancel`, keeping what finished and listing every row', async () => {
    const rows = 80;
    const manifest = await writeManifest(h.dir, rows, { name: 'to-cancel.csv' });
    const batchId = uniqueId('cancel');
    const before = h.sim.counters().runsCreated;
    const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: 5 }));
    await waitFor('some rows to finish', () => h.sim.counters().runsCreated - before >= 12);
    const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
    const cancel = await runCli(['cancel', batchId], env);
    expect(cancel.code, cancel.output).toBe(0);
    const result = await handle.result();
    const lines = await readResults(result.resultsPath);
    expect(result.stopped).toBe('cancelled with durabatch cancel');
    expect(lines).toHaveLength(rows);
    const statuses = new Set(lines.map((l) => l.status));
    expect([...statuses].every((s) => ['succeeded', 'cancelled', 'skipped'].includes(s))).toBe(true);
    expect(lines.filter((l) => l.status === 'succeeded').length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.status === 'skipped').length).toBeGreaterThan(0);
    expect(h.sim.counters().runsCreated - before).toBeLessThan(rows);
    expect((await runCli(['cancel', 'no-such-batch'], env)).code).toBe(2);
  });

  it('keeps a row whose run finished before the cancel reached it: succeeded, with its outputs', async () => {
    // Every download hangs for 6 s, so the cancel lands while each row is downloading a run that is already paid for.
    h.sim.configure({ faults: [{ kind: 'slow', rate: 1, delayMs: 6_000, endpoints: ['asset'] }] });
    try {
      const rows = 3;
      const manifest = await writeManifest(h.dir, rows, { name: 'late-cancel.csv' });
      const batchId = uniqueId('late-cancel');
      const before = h.sim.counters();
      const slowBefore = before.faultsInjected.slow ?? 0;
      const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: rows }));
      await waitFor(
        'every row to be downloading',
        () => (h.sim.counters().faultsInjected.slow ?? 0) - slowBefore >= rows,
      );
      const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
      const cancel = await runCli(['cancel', batchId], env);
      expect(cancel.code, cancel.output).toBe(0);
      const result = await handle.result();
      expect(result.stopped).toBe('cancelled with durabatch cancel');
      const lines = await readResults(result.resultsPath);
      expect(lines.map((l) => l.status)).toEqual(Array<string>(rows).fill('succeeded'));
      expect(h.sim.counters().runsCreated - before.runsCreated).toBe(rows);
      const adapter = createAdapter('lamina', h.env);
      const storage = join(h.dir, 'data', batchId);
      for (const line of lines) {
        expect((await adapter.getRun(line.runId ?? '')).providerStatus, `row ${line.row}`).toBe('completed');
        expect(line.outputs.length, `row ${line.row}`).toBeGreaterThan(0);
        for (const out of line.outputs) {
          const bytes = await readFile(join(storage, out.path ?? 'missing'));
          expect(createHash('sha256').update(bytes).digest('hex'), `row ${line.row}`).toBe(out.sha256);
        }
        // Two downloads of one output (the cancelled one and the row's own) never leave a part file behind.
        const folder = dirname(join(storage, line.outputs[0]?.path ?? 'missing'));
        expect((await readdir(folder)).filter((f) => f.endsWith('.part'))).toEqual([]);
      }
    } finally {
      h.sim.configure({ faults: [] });
    }
  });

  it('records a row whose cancel the provider refuses as cancelled, with its run id and what to check', async () => {
    const manifest = join(h.dir, 'refused-cancel.csv');
    await writeFile(manifest, 'sku,Prompt,Style\r\nR-1,"a slow one [sim:duration=600000]",Photoreal\r\n');
    const batchId = uniqueId('refused-cancel');
    const waitsBefore = h.sim.counters().requests['lamina.wait'] ?? 0;
    // A 60 s wait: the request in flight was let in before the key is revoked, so the row is still waiting then.
    const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: 1 }, { waitSeconds: 60 }));
    await waitFor('the row to wait for its run', () => (h.sim.counters().requests['lamina.wait'] ?? 0) > waitsBefore);
    // The key is revoked at the provider: from now on the cancel and every read of the run answer 401.
    h.sim.configure({ lamina: { apiKey: 'lma_some_other_key' } });
    try {
      const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
      const cancel = await runCli(['cancel', batchId], env);
      expect(cancel.code, cancel.output).toBe(0);
      const result = await handle.result();
      const [line, ...rest] = await readResults(result.resultsPath);
      expect(rest).toEqual([]);
      expect(line?.status).toBe('cancelled');
      expect(line?.runId).toBeTruthy();
      expect(line?.error?.message).toContain(`the provider did not confirm the cancel of run ${line?.runId}`);
      expect(JSON.stringify(line)).not.toContain(TEST_LAMINA_KEY);
    } finally {
      h.sim.configure({ lamina: { apiKey: TEST_LAMINA_KEY } });
    }
  });
});
