import { MockActivityEnvironment } from '@temporalio/testing';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import { createAdapter } from '../../src/providers/index.js';
import type { OutputRecord } from '../../src/shared/results-format.js';
import { DEMO_ARTU_WORKFLOW_ID, DEMO_MAGNIFIC_APP_ID, inputFingerprint } from '../../src/simulator/index.js';
import { historyText, batchExecutions } from '../helpers/histories.js';
import {
  batchInput,
  startBatch,
  startHarness,
  TEST_ARTU_KEY,
  TEST_MAGNIFIC_KEY,
  uniqueId,
  type Harness,
  readResults,
} from '../helpers/harness.js';
import { runCli } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

describe('Artu through the simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('artu', {
      runDurationMs: { min: 150, max: 400 },
      faults: [
        { kind: '429', rate: 0.1, retryAfterSeconds: 1, endpoints: ['artu.trigger'] },
        { kind: '503', rate: 0.05, retryAfterSeconds: 1, endpoints: ['artu.wait', 'artu.get'] },
        { kind: 'reset', rate: 0.05, endpoints: ['artu.wait'] },
      ],
    });
    await h.startWorker();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('ends every row in its state — synchronous, failed, waiting for input — with one created run per row', async () => {
    const rows = 40;
    const prompt = (i: number) =>
      `caption ${i}${i % 10 === 3 ? ' [sim:sync]' : ''}${i % 10 === 5 ? ' [sim:fail]' : ''}${i === 7 ? ' [sim:input]' : ''}`;
    const csv =
      ['id,prompt', ...Array.from({ length: rows }, (_, k) => `r${k + 1},${prompt(k + 1)}`)].join('\n') + '\n';
    const manifest = join(h.dir, 'artu.csv');
    await writeFile(manifest, csv);
    const batchId = uniqueId('artu');
    const input = batchInput(
      h,
      manifest,
      batchId,
      { keyColumn: 'id', concurrency: 10 },
      { provider: 'artu', app: DEMO_ARTU_WORKFLOW_ID, inputDeadlineMs: 3_000 },
    );
    const result = await (await startBatch(h, input)).result();
    const got = await readResults(result.resultsPath);
    expect(got).toHaveLength(rows);
    for (const line of got) {
      const expected = line.row === 7 ? 'needs_input' : line.row % 10 === 5 ? 'failed' : 'succeeded';
      expect(line.status, `row ${line.row}`).toBe(expected);
      expect(
        h.sim.counters().runsCreatedByFingerprint[
          inputFingerprint('artu', DEMO_ARTU_WORKFLOW_ID, { prompt: prompt(line.row) })
        ],
      ).toBe(1);
    }
    const sync = got.find((l) => l.row === 3);
    expect(sync?.outputs.length).toBeGreaterThan(0);
    expect(sync?.outputs[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(got.find((l) => l.row === 5)?.error?.message).toContain('Simulated generation failure');
    expect(got.find((l) => l.row === 7)?.error?.message).toContain('waiting for input');
    expect(got.find((l) => l.row === 1)?.records).toBeDefined();
    for (const e of await batchExecutions(h.client, batchId)) {
      const history = await h.client.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
      expect(historyText(history)).not.toContain(TEST_ARTU_KEY);
    }
  });
});

describe('Magnific through the simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('magnific', {
      runDurationMs: { min: 500, max: 1500 },
      faults: [
        { kind: '429', rate: 0.1, retryAfterSeconds: 1, endpoints: ['magnific.run', 'magnific.status'] },
        { kind: '500', rate: 0.05, endpoints: ['magnific.status'] },
      ],
    });
    await h.startWorker();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('maps columns named by label or key to input ids, keeps partial runs, and creates one run per row', async () => {
    const rows = 12;
    const prompt = (i: number) => `upscale ${i}${i === 4 ? ' [sim:partial]' : ''}${i === 9 ? ' [sim:fail]' : ''}`;
    const csv =
      [
        'sku,Prompt,creativity',
        ...Array.from({ length: rows }, (_, k) => `m${k + 1},${prompt(k + 1)},${(k % 5) + 1}`),
      ].join('\n') + '\n';
    const manifest = join(h.dir, 'magnific.csv');
    await writeFile(manifest, csv);
    const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
    const validated = await runCli(
      ['validate', manifest, '--provider', 'magnific', '--app', DEMO_MAGNIFIC_APP_ID, '--key-column', 'sku'],
      env,
    );
    expect(validated.code, validated.output).toBe(0);
    expect(validated.output).toMatch(/Prompt → input-/);
    expect(validated.output).toMatch(/creativity → input-/);

    const batchId = uniqueId('magnific');
    const input = batchInput(
      h,
      manifest,
      batchId,
      { concurrency: 6 },
      { provider: 'magnific', app: DEMO_MAGNIFIC_APP_ID },
    );
    const result = await (await startBatch(h, input)).result();
    const got = await readResults(result.resultsPath);
    expect(got.map((l) => l.status)).toEqual(
      got.map((l) => (l.row === 4 ? 'partial' : l.row === 9 ? 'failed' : 'succeeded')),
    );
    expect(got.find((l) => l.row === 4)?.outputs.length).toBeGreaterThan(0);
    expect(h.sim.counters().runsCreated).toBe(rows);
    for (const count of Object.values(h.sim.counters().runsCreatedByFingerprint)) expect(count).toBe(1);
    const keys = Object.keys(got[0]?.inputs ?? {});
    expect(keys.every((k) => k.startsWith('input-'))).toBe(true);
  });

  it('rejects a column that matches no Magnific input before anything starts', async () => {
    const manifest = join(h.dir, 'magnific-bad.csv');
    await writeFile(manifest, 'sku,Prompt,Colour\na,one,red\n');
    const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
    const before = h.sim.counters().runsCreated;
    const out = await runCli(
      ['run', manifest, '--provider', 'magnific', '--app', DEMO_MAGNIFIC_APP_ID, '--key-column', 'sku'],
      env,
    );
    expect(out.code).toBe(2);
    expect(out.output).toContain('Colour');
    expect(h.sim.counters().runsCreated).toBe(before);
  });

  it('re-reads the run for fresh URLs when an asset URL has expired before the download', async () => {
    const adapter = createAdapter('magnific', h.env);
    h.sim.configure({ faults: [], magnific: { assetTtlMs: 200 } });
    const { runId } = await adapter.startRun(DEMO_MAGNIFIC_APP_ID, {
      [await promptInputId(adapter)]: 'expiring [sim:duration=50]',
    });
    let run = await adapter.getRun(runId);
    while (!run.terminal) {
      await new Promise((r) => setTimeout(r, 50));
      run = await adapter.getRun(runId);
    }
    await new Promise((r) => setTimeout(r, 400)); // every URL in `run` has expired now
    h.sim.configure({ magnific: { assetTtlMs: 12 * 3_600_000 } });
    const stale = await fetch(run.outputs[0]?.url ?? '');
    expect(stale.status).toBe(403);

    const storage = join(h.dir, 'expiry');
    const settings = {
      provider: 'magnific' as const,
      app: DEMO_MAGNIFIC_APP_ID,
      waitSeconds: 5,
      itemTimeoutMs: 60_000,
      onAmbiguousSubmit: 'hold' as const,
    };
    const activities = createActivities({
      adapterFor: () => adapter,
      secrets: [TEST_MAGNIFIC_KEY],
      maxAssetBytes: 1e8,
    });
    const outputs = run.outputs.map((o) => ({
      label: o.label,
      type: o.type,
      url: o.url,
      text: o.text,
      status: o.status,
      error: o.error,
    }));
    const records: OutputRecord[] = await new MockActivityEnvironment().run(activities.collectOutputs, {
      runId,
      id: 'e1',
      storage,
      settings,
      outputs,
    });
    expect(records).toHaveLength(outputs.length);
    for (const [k, record] of records.entries()) {
      expect(record.url).not.toBe(outputs[k]?.url); // the fresh URL from the re-read
      const bytes = await readFile(join(storage, record.path ?? ''));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.sha256);
    }
  });
});

async function promptInputId(adapter: ReturnType<typeof createAdapter>): Promise<string> {
  const app = await adapter.getApp(DEMO_MAGNIFIC_APP_ID);
  const prompt = app?.parameters.find((p) => p.label === 'Prompt');
  if (!prompt) throw new Error('demo Magnific app has no Prompt input');
  return prompt.inputKey;
}
