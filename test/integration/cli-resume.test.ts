import { createServer } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LAMINA_APP_ID, inputFingerprint } from '../../src/simulator/index.js';
import { rowInputs, startHarness, writeManifest, type Harness, readResults } from '../helpers/harness.js';
import { runCli, spawnCli, waitFor } from '../helpers/processes.js';
import { temporalCliPath } from '../helpers/temporal-env.js';

const ROWS = 60;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The same `durabatch run` command line each time: re-running it is what resumes the batch. */
function runArgs(manifest: string): string[] {
  return [
    'run',
    manifest,
    '--provider',
    'lamina',
    '--app',
    DEMO_LAMINA_APP_ID,
    '--key-column',
    'sku',
    '--concurrency',
    '10',
  ];
}

describe('durabatch run on the embedded dev server', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;
  const groups: number[] = [];

  beforeAll(async () => {
    h = await startHarness('cli-resume', { runDurationMs: { min: 1000, max: 2000 } });
    env = { ...h.env, TEMPORAL_CLI_PATH: temporalCliPath(), DURABATCH_HOME: join(h.dir, 'home') };
    delete env.TEMPORAL_ADDRESS;
    env.DURABATCH_TEMPORAL_PORT = String(await freePort());
    env.DURABATCH_UI_PORT = String(await freePort());
  });

  afterAll(async () => {
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await h?.stop();
  });

  it('resumes the same batch after the whole process tree was killed, creating no run twice', async () => {
    const manifest = await writeManifest(h.dir, ROWS);
    const args = runArgs(manifest);
    const first = spawnCli(args, env, { detached: true, cwd: h.dir });
    if (first.child.pid) groups.push(first.child.pid);
    await waitFor('some runs to be created', () => h.sim.counters().runsCreated >= 15, 180_000);
    process.kill(-(first.child.pid ?? 0), 'SIGKILL'); // the CLI, its worker and its dev server, all at once
    await first.exited;

    const second = await runCli(args, env, { cwd: h.dir });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('Results:');
    const resultsPath = /Results: (.+)/.exec(second.output)?.[1]?.trim() ?? '';
    const lines = await readResults(resultsPath);
    expect(lines).toHaveLength(ROWS);
    const counts = h.sim.counters().runsCreatedByFingerprint;
    for (const line of lines) {
      const fp = inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(line.row));
      expect(counts[fp] ?? 0, `row ${line.row}`).toBeLessThanOrEqual(1);
      if (line.status === 'succeeded') expect(counts[fp]).toBe(1);
      else expect(line.status).toBe('submit_unknown');
    }
    expect(lines.filter((l) => l.status === 'succeeded').length).toBeGreaterThan(ROWS - 10);
  });

  it('answers a finished batch from its results when the same command runs again', async () => {
    const manifest = join(h.dir, 'manifest.csv');
    const args = runArgs(manifest);
    const before = h.sim.counters().runsCreated;
    const again = await runCli(args, env, { cwd: h.dir });
    expect(again.code, again.output).toBe(0);
    expect(h.sim.counters().runsCreated).toBe(before);
  });
});

describe('durabatch run --delivery webhook on the embedded dev server', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await startHarness('cli-webhook', {
      runDurationMs: { min: 300, max: 900 },
      webhooks: { duplicateRate: 0.3, retryDelaysMs: [200, 500] },
    });
    env = { ...h.env, TEMPORAL_CLI_PATH: temporalCliPath(), DURABATCH_HOME: join(h.dir, 'home') };
    delete env.TEMPORAL_ADDRESS;
    env.DURABATCH_TEMPORAL_PORT = String(await freePort());
    env.DURABATCH_UI_PORT = String(await freePort());
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('runs the receiver in-process, and every row is woken by its signed webhook, in a redrive too', async () => {
    const rows = 12;
    const manifest = await writeManifest(h.dir, rows, { name: 'webhook.csv', failRows: [5] });
    const args = [...runArgs(manifest), '--delivery', 'webhook', '--webhook-port', '0'];
    const run = await runCli(args, env, { cwd: h.dir });
    expect(run.code, run.output).toBe(1); // row 5 fails on purpose
    const lines = await readResults(/Results: (.+)/.exec(run.output)?.[1]?.trim() ?? '');
    expect(lines.map((l) => l.status)).toEqual(lines.map((l) => (l.row === 5 ? 'failed' : 'succeeded')));
    const c = h.sim.counters();
    expect(c.runsCreated).toBe(rows);
    expect(c.webhookDeliveries['lamina']?.['sent'] ?? 0).toBeGreaterThanOrEqual(rows);
    expect(c.requests['lamina.wait'] ?? 0).toBe(0);

    // The redrive brings the in-process receiver back on the port in the rows' webhook URLs: without it the
    // redriven row would wait for its 10-minute fallback read.
    const batchId = /batch (\S+):/.exec(run.output)?.[1] ?? '';
    const redrive = await runCli(['redrive', batchId, '--failed'], env, { cwd: h.dir });
    expect(redrive.code, redrive.output).toBe(1); // the marker still fails it
    const after = h.sim.counters();
    expect(after.runsCreated).toBe(rows + 1);
    expect(after.webhookDeliveries['lamina']?.['sent'] ?? 0).toBeGreaterThan(
      c.webhookDeliveries['lamina']?.['sent'] ?? 0,
    );
  });
});

describe("durabatch demo (the README's first command)", () => {
  let dir: string;

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the sample manifest end to end on the embedded dev server: results, images and the expected failure', async () => {
    dir = await mkdtemp(join(tmpdir(), 'durabatch-demo-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_CLI_PATH: temporalCliPath(),
      DURABATCH_HOME: join(dir, 'home'),
    };
    delete env.TEMPORAL_ADDRESS;
    env.DURABATCH_TEMPORAL_PORT = String(await freePort());
    env.DURABATCH_UI_PORT = String(await freePort());
    const { code, output } = await runCli(['demo'], env, { cwd: dir });
    expect(code, output).toBe(0);
    expect(output).toMatch(/Batch demo-\d{8}T\d{6}: 30 rows — succeeded 29, failed 1/);
    const lines = await readResults(join(dir, 'demo-results', 'results.jsonl'));
    expect(lines).toHaveLength(30);
    expect(lines.filter((l) => l.status === 'failed').map((l) => l.key)).toEqual(['SKU-1017']);
    for (const line of lines.filter((l) => l.status === 'succeeded')) {
      expect(line.outputs.length, line.key).toBeGreaterThan(0);
      for (const out of line.outputs) {
        expect(out.path, line.key).not.toBeNull();
        const png = await readFile(join(dir, 'demo-results', out.path ?? ''));
        expect(png.subarray(1, 4).toString('latin1'), line.key).toBe('PNG');
      }
    }
  });
});
