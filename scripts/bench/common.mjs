// Shared parts of the benchmarks: one dev server, the simulator, a worker process, and a timed batch.
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTemporalCli } from '../../dist/temporal/cli-path.js';
import { startDevServer } from '../../dist/temporal/dev-server.js';

export const KEY = 'lma_bench_simulator_key';
export const CLI = fileURLToPath(new URL('../../bin/durabatch.js', import.meta.url));

export async function startServer(dynamicConfig = { 'system.enableActivityEagerExecution': true }) {
  const cli = await findTemporalCli({ log: (l) => console.error(l) });
  return startDevServer({ cliPath: cli.path, ui: false, dynamicConfig, log: () => undefined });
}

export async function connect(address) {
  const connection = await Connection.connect({ address });
  return { connection, client: new Client({ connection }) };
}

/** A `durabatch worker` process (its own event loop and CPU accounting), logs to a file. */
export function startWorkerProcess(address, taskQueue, simUrl, logFile) {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    DURABATCH_TASK_QUEUE: taskQueue,
    LAMINA_BASE_URL: simUrl,
    LAMINA_API_KEY: KEY,
  };
  const child = spawn(process.execPath, [CLI, 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let ready;
  const started = new Promise((r) => (ready = r));
  let log = '';
  child.stderr.on('data', (d) => {
    log += d.toString();
    if (log.includes('durabatch worker on')) ready();
  });
  return {
    child,
    started,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      if (logFile) await writeFile(logFile, log);
    },
  };
}

export async function writeManifest(rows) {
  const dir = await mkdtemp(join(tmpdir(), 'durabatch-bench-'));
  const lines = ['sku,Prompt'];
  for (let i = 1; i <= rows; i++) lines.push(`SKU-${i},bench product ${i}`);
  const path = join(dir, 'manifest.csv');
  await writeFile(path, lines.join('\n') + '\n');
  return { dir, path };
}

export function batchInput({ batchId, manifest, dir, concurrency, app, pageSize = 500 }) {
  return {
    batchId,
    manifestPath: manifest,
    manifestName: 'manifest.csv',
    keyColumn: 'sku',
    omit: [],
    map: {},
    concurrency,
    pageSize,
    item: {
      provider: 'lamina',
      app,
      storage: join(dir, 'data', batchId),
      waitSeconds: 60,
      itemTimeoutMs: 3_600_000,
      onAmbiguousSubmit: 'hold',
    },
  };
}
