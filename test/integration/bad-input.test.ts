import { WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultLine } from '../../src/shared/results-format.js';
import { DEMO_LAMINA_APP_ID } from '../../src/simulator/index.js';
import { createWorker } from '../../src/worker.js';
import { batchExecutions, historyText } from '../helpers/histories.js';
import {
  batchInput,
  readResults,
  startBatch,
  startHarness,
  TEST_LAMINA_KEY,
  uniqueId,
  type Harness,
} from '../helpers/harness.js';
import { runCli, spawnCli, waitFor, type Spawned } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** A `durabatch worker` process on its own task queue; resolves once it polls. */
async function startWorkerProcess(env: NodeJS.ProcessEnv, taskQueue: string): Promise<Spawned> {
  const worker = spawnCli(['worker', '--task-queue', taskQueue], env);
  await waitFor('the worker to start', () => worker.output().includes('durabatch worker on'));
  return worker;
}

async function stopWorkerProcess(worker: Spawned | undefined): Promise<void> {
  if (!worker || worker.child.exitCode !== null) return;
  worker.child.kill('SIGTERM');
  await worker.exited;
}

describe('bad input', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await startHarness('bad-input', { runDurationMs: { min: 50, max: 200 } });
    env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
    await h.startWorker();
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function manifest(name: string, content: string | Buffer): Promise<string> {
    const path = join(h.dir, name);
    await writeFile(path, content);
    return path;
  }

  describe('manifests that cannot run', () => {
    const cases: { name: string; file: string; content: string | Buffer; says: RegExp[] }[] = [
      {
        name: 'an unbalanced quote',
        file: 'quote.csv',
        content: 'sku,Prompt\nA,"one\nB,two\n',
        says: [/line 2/, /never closed/, /closing "/],
      },
      {
        name: 'bytes that are not UTF-8',
        file: 'latin1.csv',
        content: Buffer.concat([Buffer.from('sku,Prompt\nA,one\nB,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
        says: [/line 3 is not valid UTF-8/, /CSV UTF-8/],
      },
      { name: 'an empty file', file: 'empty.csv', content: '', says: [/no rows/, /the file is empty/] },
      { name: 'a header and no rows', file: 'header.csv', content: 'sku,Prompt\n', says: [/header but no data rows/] },
      {
        name: 'a JSON array cut short',
        file: 'cut.json',
        content: '[{"sku":"A","Prompt":"one"},\n{"sku":"B",',
        says: [/truncated/, /line 2/],
      },
      {
        name: 'keys that differ only in letter case',
        file: 'case.csv',
        content: 'sku,Prompt\nSKU-1,one\nsku-1,two\n',
        says: [/row 2 \(line 3\), column 'sku'/, /differs from the key of row 1 only in letter case/],
      },
      {
        name: 'a key far too long to be one',
        file: 'long-key.csv',
        content: `sku,Prompt\n${'k'.repeat(300)},one\n`,
        says: [/row 1 \(line 2\), column 'sku'/, /300 characters long/, /at most 256/],
      },
      {
        name: 'a cell over the size limit',
        file: 'big-cell.csv',
        content: `sku,Prompt\nA,${'x'.repeat(300_000)}\n`,
        says: [/row 1 \(line 2\), column 'Prompt'/, /300,000 bytes/, /262,144 bytes \(256 KiB\)/],
      },
    ];

    for (const c of cases) {
      it(`refuses ${c.name} with its place and fix, starting and storing nothing`, async () => {
        const path = await manifest(c.file, c.content);
        const dataDir = join(h.dir, `data-${c.file}`);
        const before = h.sim.counters().runsCreated;
        const { code, output } = await runCli(
          ['run', path, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku'].concat([
            '--data-dir',
            dataDir,
          ]),
          env,
        );
        expect(code, output).toBe(2);
        for (const pattern of c.says) expect(output).toMatch(pattern);
        expect(output).toContain('nothing was submitted');
        expect(h.sim.counters().runsCreated).toBe(before);
        expect(existsSync(dataDir)).toBe(false);
      });
    }

    it('fails a batch started around the CLI on the worker too, leaving no batch directory', async () => {
      const path = await manifest('worker-case.csv', 'sku,Prompt\nSKU-1,one\nsku-1,two\n');
      const input = batchInput(h, path, uniqueId('worker-invalid'));
      const before = h.sim.counters().runsCreated;
      const err = await (await startBatch(h, input)).result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as Error & { type?: string };
      expect(cause.type).toBe('ManifestInvalid');
      expect(cause.message).toContain("row 2 (line 3), column 'sku'");
      expect(cause.message).toContain('only in letter case');
      expect(existsSync(input.storage)).toBe(false);
      expect(h.sim.counters().runsCreated).toBe(before);
    });

    it('reads a manifest saved with a BOM, keeping the first column name intact', async () => {
      const path = await manifest('bom.csv', '\uFEFFsku,Prompt\nA,one\n');
      const { code, output } = await runCli(
        ['validate', path, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku'],
        env,
      );
      expect(code, output).toBe(0);
      expect(output).toContain('1 row, all valid');
    });
  });

  it('runs rows whose keys are unsafe as file names or workflow ids, each under a safe id inside its batch', async () => {
    const keys = ['../escape', '/etc/passwd', 'CON', 'nul.txt', 'a b/c', 'Dot.', 'x'.repeat(200), '\u0000zero'];
    const csv = ['sku,Prompt', ...keys.map((k, i) => `"${k}",unsafe key ${i}`)].join('\n') + '\n';
    const path = await manifest('unsafe-keys.csv', csv);
    const batchId = uniqueId('unsafe-keys');
    const input = batchInput(h, path, batchId, { concurrency: 4 });
    const result = await (await startBatch(h, input)).result();
    const lines = await readResults(result.resultsPath);
    expect(lines.map((l) => l.key)).toEqual(keys);
    expect(lines.map((l) => l.status)).toEqual(keys.map(() => 'succeeded'));

    const ids = ['%2E.%2Fescape', '%2Fetc%2Fpasswd', '%43ON', '%6Eul.txt', 'a%20b%2Fc', 'Dot%2E', `${'x'.repeat(64)}~`];
    const workflowIds = (await batchExecutions(h.client, batchId)).map((e) => e.workflowId);
    for (const id of ids)
      expect(
        workflowIds.some((w) => w.startsWith(`${batchId}/${id}`)),
        id,
      ).toBe(true);
    const stored = await filesUnder(h.dir);
    // Only manifests at the top and batch data under data/: nothing landed beside them or above them.
    expect(stored.filter((f) => !f.startsWith('data/') && !/^[^/]+\.(csv|json)$/.test(f))).toEqual([]);
    expect(stored.filter((f) => /(^|\/)(escape|passwd)\.json$/.test(f))).toEqual([]);
    const items = (await readdir(join(input.storage, 'items'))).sort();
    expect(items).toHaveLength(keys.length);
    for (const name of items) expect(name).toMatch(/^[A-Za-z0-9_%~-][A-Za-z0-9_.%~-]*\.json$/);
    for (const line of lines)
      for (const out of line.outputs) expect(out.path).toMatch(/^outputs\/[^/]+\/[a-z0-9-]+\.\w+$/);
  });

  describe('garbled provider answers', () => {
    async function runBatch(name: string, prompts: string[]): Promise<ResultLine[]> {
      const csv = ['sku,Prompt', ...prompts.map((p, i) => `${name}-${i + 1},${p}`)].join('\n') + '\n';
      const path = await manifest(`${name}.csv`, csv);
      const input = batchInput(h, path, uniqueId(name), { concurrency: prompts.length });
      const result = await (await startBatch(h, input)).result();
      return readResults(result.resultsPath);
    }

    it('retries reads that answered an HTML page, JSON cut short or JSON of the wrong shape, and the rows still succeed', async () => {
      h.sim.configure({
        faults: [
          { kind: 'html', rate: 1, count: 2, endpoints: ['lamina.wait'] },
          { kind: 'truncated', rate: 1, count: 2, endpoints: ['lamina.wait'] },
          { kind: 'schema', rate: 1, count: 2, endpoints: ['lamina.wait'] },
        ],
      });
      const before = h.sim.counters();
      // Four rows share the six garbled answers, so none meets the five in a row that would fail it.
      const lines = await runBatch('garbled-once', ['one', 'two', 'three', 'four']);
      h.sim.configure({ faults: [] });
      expect(lines.map((l) => l.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      const after = h.sim.counters();
      expect((after.faultsInjected.html ?? 0) - (before.faultsInjected.html ?? 0)).toBe(2);
      expect((after.faultsInjected.truncated ?? 0) - (before.faultsInjected.truncated ?? 0)).toBe(2);
      expect((after.faultsInjected.schema ?? 0) - (before.faultsInjected.schema ?? 0)).toBe(2);
      expect(after.runsCreated - before.runsCreated).toBe(4);
    });

    it('fails a row whose reads keep answering HTML, saying what came back and what to do', async () => {
      h.sim.configure({ faults: [{ kind: 'html', rate: 1, endpoints: ['lamina.wait'] }] });
      const before = h.sim.counters().runsCreated;
      const lines = await runBatch('garbled-always', ['one', 'two']);
      h.sim.configure({ faults: [] });
      expect(lines.map((l) => l.status)).toEqual(['failed', 'failed']);
      for (const line of lines) {
        expect(line.error?.code).toBe('ProviderProtocol');
        expect(line.error?.message).toMatch(/^lamina: GET \/v1\/runs\/[^/]+\/wait answered outside its contract/);
        expect(line.error?.message).toContain('an HTML page titled "Just a moment..." instead of JSON');
        expect(line.error?.message).toContain('5 reads during this wait');
        expect(line.error?.message).toContain('durabatch redrive');
        expect(line.runId).not.toBeNull();
      }
      expect(h.sim.counters().runsCreated - before).toBe(2);
    });
  });

  describe('output URLs', () => {
    it('stops an output over the size cap, keeping no file and naming the limit', async () => {
      const taskQueue = `${h.taskQueue}-cap`;
      const conn = await NativeConnection.connect({ address: temporalAddress() });
      let worker: Worker | undefined;
      let running: Promise<void> | undefined;
      try {
        worker = await createWorker({
          connection: conn,
          namespace: 'default',
          taskQueue,
          env: { ...h.env, DURABATCH_MAX_ASSET_MB: '0.0001' },
        });
        running = worker.run();
        const path = await manifest('cap.csv', 'sku,Prompt\ncap-1,a big picture\n');
        const input = batchInput(h, path, uniqueId('cap'));
        const result = await (await startBatch({ ...h, taskQueue }, input)).result();
        const [line] = await readResults(result.resultsPath);
        expect(line?.status).toBe('failed');
        expect(line?.error?.message).toContain('larger than the limit of 104 bytes; nothing was kept');
        expect(line?.error?.message).toContain('DURABATCH_MAX_ASSET_MB');
        const left = (await filesUnder(input.storage)).filter((f) => f.startsWith('outputs/'));
        expect(left).toEqual([]);
      } finally {
        worker?.shutdown();
        await running?.catch(() => undefined);
        await conn.close();
      }
    });

    it('refuses an output URL on a loopback host other than the provider base URL host', async () => {
      const port = new URL(h.sim.url).port;
      // The API is reached as localhost; the simulator's output URLs name 127.0.0.1, which nothing vouches for.
      const viaName = `http://localhost:${port}`;
      const workerEnv = { ...env, LAMINA_BASE_URL: viaName, ARTU_BASE_URL: viaName, MAGNIFIC_BASE_URL: viaName };
      const taskQueue = `${h.taskQueue}-private`;
      let worker: Spawned | undefined;
      try {
        worker = await startWorkerProcess(workerEnv, taskQueue);
        const path = await manifest('private.csv', 'sku,Prompt\np-1,inside\n');
        const out = join(h.dir, 'out-private');
        const run = await runCli(
          ['run', path, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku', '--out', out],
          { ...workerEnv, DURABATCH_TASK_QUEUE: taskQueue },
        );
        expect(run.code, run.output).toBe(1);
        const [line] = await readResults(join(out, 'results.jsonl'));
        expect(line?.status).toBe('failed');
        expect(line?.error?.message).toContain('127.0.0.1 is a loopback, private or link-local address');
        expect(line?.error?.message).toContain('DURABATCH_ALLOW_PRIVATE_URLS=1');
        expect(line?.error?.message).not.toContain('sig=');
      } finally {
        await stopWorkerProcess(worker);
      }
    });
  });

  it('keeps the API key out of every history, the worker log, the results and every stored file', async () => {
    h.sim.configure({
      faults: [
        { kind: 'html', rate: 1, count: 2, endpoints: ['lamina.wait'] },
        { kind: '500', rate: 0.2, endpoints: ['lamina.wait', 'lamina.get'] },
        { kind: 'reset', rate: 0.1, endpoints: ['asset'] },
      ],
    });
    const taskQueue = `${h.taskQueue}-secrets`;
    let worker: Spawned | undefined;
    try {
      worker = await startWorkerProcess(env, taskQueue);
      const prompts = ['one', 'two [sim:fail]', 'three', 'four [sim:fail]', 'five', 'six'];
      const csv = ['sku,Prompt', ...prompts.map((p, i) => `s-${i + 1},${p}`)].join('\n') + '\n';
      const path = await manifest('secrets.csv', csv);
      const batchId = uniqueId('secrets');
      const dataDir = join(h.dir, 'data-secrets');
      const out = join(h.dir, 'out-secrets');
      const run = await runCli(
        ['run', path, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku'].concat([
          '--batch-id',
          batchId,
          '--data-dir',
          dataDir,
          '--out',
          out,
        ]),
        { ...env, DURABATCH_TASK_QUEUE: taskQueue },
      );
      expect(run.code, run.output).toBe(1); // finished, with the two rows that fail on purpose
      const lines = await readResults(join(out, 'results.jsonl'));
      expect(lines.map((l) => l.status)).toEqual(prompts.map((p) => (p.includes('fail') ? 'failed' : 'succeeded')));
      expect(run.output).not.toContain(TEST_LAMINA_KEY);

      const executions = await batchExecutions(h.client, batchId);
      expect(executions.length).toBeGreaterThan(prompts.length);
      for (const e of executions) {
        const history = await h.client.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
        expect(historyText(history), e.workflowId).not.toContain(TEST_LAMINA_KEY);
      }
      await stopWorkerProcess(worker);
      const log = worker.output();
      expect(log).toContain('durabatch worker on');
      expect(log).toContain('answered outside its contract'); // failures are logged, so the log was worth reading
      expect(log).not.toContain(TEST_LAMINA_KEY);
      for (const dir of [dataDir, out]) {
        const files = await filesUnder(dir);
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) {
          expect((await readFile(join(dir, file))).toString('latin1'), file).not.toContain(TEST_LAMINA_KEY);
        }
      }
      for (const name of ['results.jsonl', 'results.csv', 'summary.json'])
        expect(existsSync(join(out, name))).toBe(true);
    } finally {
      h.sim.configure({ faults: [] });
      await stopWorkerProcess(worker);
    }
  });
});
