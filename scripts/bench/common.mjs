// Shared parts of the benchmarks: one dev server, the simulator, a worker process, and a timed batch.
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PAGE_SIZE } from '../../dist/shared/constants.js';
import { findTemporalCli } from '../../dist/temporal/cli-path.js';
import { startDevServer } from '../../dist/temporal/dev-server.js';
import { DEMO_LAMINA_APP_ID, startSimulator } from '../../dist/simulator/index.js';

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

/**
 * The node flags the Docker image runs durabatch with (its ENTRYPOINT: `node <flags> /app/bin/durabatch.js`), so
 * the benchmark's workers (and the memory scenario's CLI) run as deployed ones do. Read from the Dockerfile, the one place they are set.
 */
let imageArgs = null;
export function imageNodeArgs() {
  imageArgs ??= readImageNodeArgs();
  return imageArgs;
}

function readImageNodeArgs() {
  const dockerfile = readFileSync(fileURLToPath(new URL('../../Dockerfile', import.meta.url)), 'utf8');
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  const argv = line ? JSON.parse(line[1]) : null;
  const script = argv?.indexOf('/app/bin/durabatch.js') ?? -1;
  if (!argv || argv[0] !== 'node' || script < 1)
    throw new Error('Dockerfile: expected ENTRYPOINT ["node", …, "/app/bin/durabatch.js"]');
  return argv.slice(1, script);
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
  return startNodeProcess([CLI, 'worker'], env, 'durabatch worker on', logFile);
}

/** The bare baseline's worker (scripts/bench/bare-worker.mjs) in its own process. */
export function startBareWorkerProcess(address, taskQueue, logFile) {
  const script = fileURLToPath(new URL('./bare-worker.mjs', import.meta.url));
  const env = { ...process.env, TEMPORAL_ADDRESS: address, BENCH_TASK_QUEUE: taskQueue };
  return startNodeProcess([script], env, 'bare worker on', logFile);
}

/** `node <args>`; `started` resolves once stderr shows `readyText`, rejects if the process exits first. */
function startNodeProcess(args, env, readyText, logFile) {
  // The image's node flags, then BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, for profiling).
  const nodeArgs = [...imageNodeArgs(), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let ready;
  let failed;
  const started = new Promise((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  void exited.then(({ code, signal }) => failed(new Error(`${args.join(' ')} exited (${signal ?? code}):\n${log}`)));
  let log = '';
  child.stderr.on('data', (d) => {
    log += d.toString();
    if (log.includes(readyText)) ready();
  });
  return {
    child,
    pid: child.pid,
    started,
    exited,
    log: () => log,
    /** SIGTERM and wait for the exit; the log goes to `logFile` when one was given. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
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

export function batchInput({ batchId, manifest, dir, concurrency, app, pageSize = DEFAULT_PAGE_SIZE }) {
  return {
    batchId,
    source: { location: manifest, name: 'manifest.csv' },
    storage: join(dir, 'data', batchId),
    manifest: { keyColumn: 'sku', omit: [], map: {} },
    tuning: { concurrency, pageSize },
    item: { provider: 'lamina', app, waitSeconds: 60, itemTimeoutMs: 3_600_000, onAmbiguousSubmit: 'hold' },
  };
}

/**
 * A dev server, the simulator (in this process), a client and one `durabatch worker` process on a fresh task
 * queue: what every scenario starts from. close() stops them all.
 */
export async function startStack({ runDurationMs, seed = 11 }) {
  const server = await startServer();
  const sim = await startSimulator({ port: 0, seed, runDurationMs, lamina: { apiKey: KEY } });
  const { connection, client } = await connect(server.address);
  const taskQueue = `bench-${Date.now()}`;
  const worker = startWorkerProcess(server.address, taskQueue, sim.url, null);
  await worker.started;
  return {
    server,
    sim,
    client,
    taskQueue,
    worker,
    async close() {
      await worker.stop().catch(() => undefined);
      await connection.close();
      await sim.close();
      await server.stop();
    },
  };
}

/** Starts a batch of the manifest at `path` on the stack's task queue; `done` resolves with its output. */
export async function startBatch(stack, { batchId, path, dir, concurrency }) {
  const handle = await stack.client.workflow.start('batchWorkflow', {
    workflowId: batchId,
    taskQueue: stack.taskQueue,
    args: [batchInput({ batchId, manifest: path, dir, concurrency, app: DEMO_LAMINA_APP_ID })],
  });
  return { handle, storage: join(dir, 'data', batchId) };
}

/** Throws unless every one of `rows` rows succeeded. */
export function expectAllSucceeded(what, result, rows) {
  if (result.counts.succeeded !== rows)
    throw new Error(`${what}: expected ${rows} succeeded, got ${JSON.stringify(result.counts)}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
