// One chaos run, end to end: a restartable dev server, the simulator and `durabatch worker` as real processes, a
// batch started with `durabatch run --detach`, the scenario's events while it runs, then every check.
// Used by `npm run chaos` (scripts/chaos.mjs) and test/integration/chaos.test.ts.
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_LAMINA_APP_ID } from '../../dist/simulator/index.js';
import { RESULTS_JSONL_FILE } from '../../dist/storage/index.js';
import { verifyBatch } from './checks.mjs';
import { plannedEventChecks, runEvent } from './events.mjs';
import { runCli, startSimulatorProcess, workerPool } from './processes.mjs';
import { rowInputs, rowKey } from './scenario.mjs';
import { startRestartableServer } from './server.mjs';
import { chaosStorage } from './storage.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PROVIDER_KEYS = ['LAMINA_API_KEY', 'ARTU_API_KEY', 'MAGNIFIC_API_KEY'];

async function writeManifest(dir, rows) {
  const lines = ['sku,Prompt,Style'];
  for (let i = 1; i <= rows; i++) {
    const { Prompt, Style } = rowInputs(i);
    lines.push(`${rowKey(i)},"${Prompt}",${Style}`);
  }
  const path = join(dir, 'manifest.csv');
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

/** The environment of every process but the workers: no provider key in it. */
function envWithoutKeys(extra) {
  const env = { ...process.env, ...extra };
  for (const name of PROVIDER_KEYS) delete env[name];
  return env;
}

/**
 * Rows whose result line has been recorded (items/<id>.json), listed in the batch's storage: it works while
 * Temporal is down.
 */
async function rowsDone(storage) {
  const names = await storage.list('items');
  return names.filter((n) => n.endsWith('.json')).length;
}

async function batchStatus(client, batchId) {
  try {
    return (await client.workflow.getHandle(batchId).describe()).status.name;
  } catch {
    return 'UNREACHABLE';
  }
}

/**
 * Runs `scenario` (see scenario.mjs) and returns the report: figures, events, checks and `ok`. Throws only when
 * the harness itself cannot run (a process does not start, the batch does not finish in time).
 *   cliPath: the Temporal CLI (default: found as durabatch finds it); log: progress lines;
 *   keep: keep the temp dir (it is kept anyway when a check fails);
 *   storage: 'local' (a folder in the temp dir, the default) or 's3' (a versitygw the run starts; see storage.mjs).
 */
export async function runChaos(
  scenario,
  { cliPath, log = (l) => console.error(l), keep = false, storage: storageKind = 'local' } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), `durabatch-chaos-${scenario.name}-`));
  const secret = `lma_chaos_SECRET_${randomBytes(8).toString('hex')}`;
  const t0 = performance.now();
  const elapsed = () => Math.round((performance.now() - t0) / 100) / 10;
  const events = [];
  const stops = [];
  // Stopped last: the checks read the batch's storage after every other process has stopped.
  const storageStops = [];
  let ok = false;
  try {
    const store = await chaosStorage(storageKind, { dir, log });
    storageStops.push(() => store.stop());
    const server = await startRestartableServer({ dir, cliPath, log });
    stops.push(() => server.stop());
    const { seed, runDurationMs } = scenario;
    const sim = await startSimulatorProcess({ seed, runDurationMs, dir, env: envWithoutKeys({}) });
    stops.push(() => sim.stop());
    await sim.configure({ outputsPerRun: scenario.outputsPerRun });
    log(`chaos ${scenario.name}: Temporal ${server.address} (db ${server.dbFile}), simulator ${sim.url}, dir ${dir}`);
    log(`storage: ${store.describe}`);

    const batchId = `chaos-${scenario.name}-${Date.now().toString(36)}`;
    const storage = store.open(batchId);
    const cliEnv = store.withEnv(
      envWithoutKeys({ TEMPORAL_ADDRESS: server.address, DURABATCH_TASK_QUEUE: `chaos-${batchId}` }),
    );
    const workerEnv = { ...cliEnv, LAMINA_BASE_URL: sim.url, LAMINA_API_KEY: secret };
    const pool = workerPool({ env: workerEnv, dir, log });
    stops.unshift(() => pool.stop());
    await pool.start();

    const manifest = await writeManifest(dir, scenario.rows);
    const runArgs = ['run', manifest, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku'];
    runArgs.push('--concurrency', String(scenario.concurrency), '--batch-id', batchId, ...store.runArgs);
    if (scenario.onAmbiguousSubmit) runArgs.push('--on-ambiguous-submit', scenario.onAmbiguousSubmit);
    const started = performance.now();
    const detach = await runCli([...runArgs, '--detach'], cliEnv, { cwd: dir });
    if (detach.code !== 0) throw new Error(`durabatch run --detach exited ${detach.code}:\n${detach.output}`);
    log(
      `batch ${batchId}: ${scenario.rows} rows started in ${store.location(batchId)} (run --detach exited ${detach.code})`,
    );

    const connection = await Connection.connect({ address: server.address });
    stops.unshift(() => connection.close());
    const client = new Client({ connection });
    const deadline = Date.now() + scenario.timeoutMs;
    const record = (kind, detail, extra = {}) => {
      events.push({ at: elapsed(), kind, detail, ...extra });
      log(`[${elapsed()} s] ${kind}: ${detail}`);
    };

    for (const event of scenario.events) {
      const target = Math.ceil(event.at * scenario.rows);
      while ((await rowsDone(storage)) < target) {
        if (Date.now() > deadline) throw stalled(`no ${target} rows done`, await rowsDone(storage), pool);
        await sleep(250);
      }
      const done = await rowsDone(storage);
      if (done >= scenario.rows) {
        record('skipped', `${event.kind}: the batch had finished`, { rowsDone: done });
        continue;
      }
      await runEvent(event, { pool, server, sim, record, done });
    }

    let status = await batchStatus(client, batchId);
    while (status === 'RUNNING' || status === 'UNREACHABLE') {
      if (Date.now() > deadline) throw stalled(`batch still ${status}`, await rowsDone(storage), pool);
      await sleep(1000);
      status = await batchStatus(client, batchId);
    }
    const batchSeconds = round((performance.now() - started) / 1000);
    record('batch closed', `${status} after ${batchSeconds} s`, { rowsDone: await rowsDone(storage) });

    const statusCli = await runCli(['status', batchId, '--json'], cliEnv, { cwd: dir });
    const statusJson = parseJson(statusCli.stdout);
    const attach = await runCli(runArgs, cliEnv, { cwd: dir });
    const counters = await sim.counters();
    await stopAll(stops); // the workers' logs and the server's database are complete only now
    const storageRequests = await store.requests();

    const { checks, figures } = await verifyBatch({
      rows: scenario.rows,
      storage,
      counters,
      outputsPerRun: scenario.outputsPerRun,
      secret,
      storageSecrets: store.secrets,
      scan: {
        files: [...pool.logs, join(dir, 'simulator.log'), ...(await databaseFiles(dir))],
        texts: { 'run --detach output': detach.output, 'status output': statusCli.output, 'run output': attach.output },
      },
    });
    const failures = Object.entries(figures.counts).filter(
      ([s]) => s !== 'succeeded' && s !== 'partial' && s !== 'skipped',
    );
    const expectedAttachCode = failures.some(([, n]) => n > 0) ? 1 : 0;
    checks.push(
      { name: 'durabatch run --detach exited 0', ok: detach.code === 0, detail: `exit ${detach.code}` },
      { name: 'the batch workflow completed', ok: status === 'COMPLETED', detail: status },
      {
        name: 'durabatch status --json exited 0 and reports the completed batch',
        ok: statusCli.code === 0 && statusJson?.workflowStatus === 'COMPLETED',
        detail: `exit ${statusCli.code}, ${statusJson?.workflowStatus}`,
      },
      {
        name: `the batch's data and results are in its ${storageKind} storage (as durabatch status --json reports)`,
        ok:
          statusJson?.storage === store.location(batchId) &&
          statusJson?.result?.resultsPath === storage.urlOf(RESULTS_JSONL_FILE),
        detail: `storage ${statusJson?.storage}, results ${statusJson?.result?.resultsPath}`,
      },
      {
        name: `durabatch run on the finished batch exits ${expectedAttachCode} (1 when any row is submit_unknown)`,
        ok: attach.code === expectedAttachCode,
        detail: `exit ${attach.code}`,
      },
      ...plannedEventChecks(scenario, events),
    );
    ok = checks.every((c) => c.ok);
    const byStatus = Object.entries(figures.counts).map(([k, n]) => `${n} ${k}`);
    log(
      `${ok ? 'every check passed' : 'SOME CHECKS FAILED'}: ${byStatus.join(', ')} (${figures.adopted} adopted); ` +
        `${figures.runsCreated} runs created, ${figures.duplicates} duplicates, ${figures.shaMismatches} sha mismatches`,
    );
    const report = {
      ok,
      measuredAt: new Date().toISOString(),
      storage: storageKind,
      scenario: summarize(scenario),
      batchId,
      batchSeconds,
      totalSeconds: elapsed(),
      kills: events.filter((e) => e.kind === 'kill-worker').length,
      serverRestarts: events.filter((e) => e.kind === 'restart-server').length,
      unexpectedWorkerExits: pool.unexpectedExits.map(({ tail: _tail, ...rest }) => rest),
      outageWindows: events.filter((e) => e.kind === 'outage-window').map((e) => e.window),
      exitCodes: { detach: detach.code, status: statusCli.code, runOnFinishedBatch: attach.code },
      ...(storageRequests ? { storageRequests } : {}),
      ...figures,
      events,
      checks,
      dir: ok && !keep ? null : dir,
    };
    return report;
  } finally {
    await stopAll(stops);
    await stopAll(storageStops);
    if (ok && !keep) await rm(dir, { recursive: true, force: true });
  }
}

/** The error of a run that did not finish in time, with the end of the current worker's log. */
function stalled(what, done, pool) {
  return new Error(`${what} before the deadline (${done} rows done); the worker's log ends:\n${pool.logTail()}`);
}

function summarize(s) {
  return {
    rows: s.rows,
    seed: s.seed,
    concurrency: s.concurrency,
    runDurationMs: s.runDurationMs,
    outputsPerRun: s.outputsPerRun,
    onAmbiguousSubmit: s.onAmbiguousSubmit ?? 'hold',
  };
}

async function databaseFiles(dir) {
  const names = await readdir(dir);
  return names.filter((n) => n.startsWith('temporal.db')).map((n) => join(dir, n));
}

async function stopAll(stops) {
  while (stops.length > 0) {
    const stop = stops.shift();
    await stop().catch(() => undefined);
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function round(x) {
  return Math.round(x * 10) / 10;
}
