import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultLine } from '../../src/shared/results-format.js';
import { DEMO_LAMINA_APP_ID, inputFingerprint } from '../../src/simulator/index.js';
import { batchExecutions, historyText } from '../helpers/histories.js';
import { runCli } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';
import {
  batchInput,
  rowInputs,
  startBatch,
  startHarness,
  TEST_LAMINA_KEY,
  uniqueId,
  writeManifest,
  type Harness,
  readResults,
} from '../helpers/harness.js';

const ROWS = 300;
const FAIL_ROWS = [7, 70, 140, 299];

describe('a batch through the simulator with faults', () => {
  let h: Harness;
  let batchId: string;
  let lines: ResultLine[];

  beforeAll(async () => {
    h = await startHarness('batch-faults', {
      runDurationMs: { min: 100, max: 400 },
      faults: [
        { kind: '429', rate: 0.08, retryAfterSeconds: 1, endpoints: ['lamina.start'] },
        { kind: '503', rate: 0.04, retryAfterSeconds: 1, endpoints: ['lamina.start', 'lamina.wait'] },
        { kind: '500', rate: 0.04, endpoints: ['lamina.wait', 'lamina.get'] },
        { kind: 'reset', rate: 0.04, endpoints: ['lamina.wait', 'asset'] },
        { kind: 'slow', rate: 0.05, delayMs: 300, endpoints: ['lamina.wait', 'lamina.start'] },
        { kind: 'drop-after-accept', rate: 0.02, endpoints: ['lamina.start'] },
      ],
    });
    await h.startWorker();
    batchId = uniqueId('faults');
    const manifest = await writeManifest(h.dir, ROWS, { failRows: FAIL_ROWS });
    const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: 20, pageSize: 50 }));
    const result = await handle.result();
    lines = await readResults(result.resultsPath);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('writes exactly one result line per row, in manifest order', () => {
    expect(lines.map((l) => l.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(lines.map((l) => l.key)).toEqual(Array.from({ length: ROWS }, (_, i) => `SKU-${i + 1}`));
  });

  it('ends every row in the state its run and its faults call for', () => {
    const dropped = h.sim.counters().faultsInjected['drop-after-accept'] ?? 0;
    const unknown = lines.filter((l) => l.status === 'submit_unknown');
    // A dropped start is adopted when its run is proven ours, else held as submit_unknown.
    expect(dropped).toBeGreaterThan(0);
    expect(unknown.length).toBeLessThanOrEqual(dropped);
    for (const line of lines) {
      if (line.status === 'submit_unknown') continue;
      expect(line.status).toBe(FAIL_ROWS.includes(line.row) ? 'failed' : 'succeeded');
    }
    const failed = lines.filter((l) => l.status === 'failed');
    for (const f of failed) expect(f.error?.message).toContain('Simulated generation failure');
  });

  it('creates at most one provider run per row, and exactly one for every row that ran', () => {
    const counts = h.sim.counters().runsCreatedByFingerprint;
    for (const line of lines) {
      const fp = inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(line.row, FAIL_ROWS));
      // A dropped start created its run too: adopted or held, never sent again.
      expect(counts[fp] ?? 0, `row ${line.row}`).toBe(1);
    }
    expect(h.sim.counters().runsCreated).toBeLessThanOrEqual(ROWS);
  });

  it('downloads every output of a succeeded row, and each file matches its sha256 and size', async () => {
    const storage = join(h.dir, 'data', batchId);
    for (const line of lines.filter((l) => l.status === 'succeeded')) {
      expect(line.outputs.length).toBeGreaterThan(0);
      for (const out of line.outputs) {
        const bytes = await readFile(join(storage, out.path ?? 'missing'));
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(out.sha256);
        expect(bytes.length).toBe(out.bytes);
      }
    }
  });

  it('continued the partition as new along the way', async () => {
    const runs = (await batchExecutions(h.client, batchId)).filter((e) => e.workflowId === `${batchId}/p0`);
    expect(runs.some((r) => r.status === 'CONTINUED_AS_NEW')).toBe(true);
  });

  it('reports the finished batch through `status --json` and `results`', async () => {
    const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
    const status = await runCli(['status', batchId, '--json'], env);
    expect(status.code, status.output).toBe(0);
    const parsed = JSON.parse(status.output.slice(status.output.indexOf('{'))) as {
      workflowStatus: string;
      done: number;
      rows: number;
    };
    expect(parsed.workflowStatus).toBe('COMPLETED');
    expect(parsed.done).toBe(ROWS);
    const results = await runCli(['results', batchId], env);
    expect(results.code).toBe(0);
    expect(results.output.trim().split('\n')).toHaveLength(ROWS);
    const csv = await runCli(['results', batchId, '--format', 'csv'], env);
    expect(csv.output.trim().split('\n')[0]).toMatch(/^row,key,status/);
    const missing = await runCli(['status', 'no-such-batch'], env);
    expect(missing.code).toBe(2);
  });

  it('keeps the API key out of every workflow history and result file', async () => {
    const executions = await batchExecutions(h.client, batchId);
    expect(executions.length).toBeGreaterThan(ROWS);
    for (const e of executions) {
      const history = await h.client.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
      expect(historyText(history)).not.toContain(TEST_LAMINA_KEY);
    }
    const storage = join(h.dir, 'data', batchId);
    for (const file of await readdir(storage, { recursive: true })) {
      if (!/\.(json|jsonl|csv)$/.test(file)) continue;
      expect(await readFile(join(storage, file), 'utf8')).not.toContain(TEST_LAMINA_KEY);
    }
  });
});
