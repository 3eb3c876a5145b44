// Scenario "memory": peak resident memory (VmHWM) of the CLI and of the worker for batches of several sizes.
// Each size gets a fresh dev server and a fresh `durabatch worker` process; the CLI is `durabatch run` against
// that server (TEMPORAL_ADDRESS set, so it validates, starts the batch and then watches it to the end without a
// worker of its own: the whole of `run --detach` plus the progress loop). Simulator runs take 0 ms.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEMO_LAMINA_APP_ID } from '../../dist/simulator/index.js';
import { CLI, imageNodeArgs, KEY, startStack, writeManifest } from './common.mjs';
import { allClosed, countEvents } from './events.mjs';
import { cpuMeter, peakRssMb, round, rssMb } from './proc.mjs';

const PROBE = new URL('./rss-probe.mjs', import.meta.url).href;
const SAMPLE_EVERY_MS = 10_000;

/** At most `n` of `list`, evenly spread, always keeping the last. */
function thin(list, n) {
  if (list.length <= n) return list;
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[Math.min(list.length - 1, Math.round((i + 1) * step) - 1)]);
}

export async function memory({ sizes, concurrency, onSize = () => undefined }) {
  const bySize = {};
  let summary = null;
  for (const rows of sizes) {
    bySize[label(rows)] = await measureSize(rows, concurrency);
    summary = summarize(bySize, sizes, concurrency);
    // Recorded after each size, so a large size that cannot finish keeps the smaller ones.
    await onSize(summary);
  }
  return summary;
}

function summarize(bySize, sizes, concurrency) {
  const fields = {};
  for (const [name, m] of Object.entries(bySize)) {
    fields[`cliPeakMb${name}`] = m.cliPeakMb;
    fields[`workerPeakMb${name}`] = m.workerPeakMb;
  }
  return {
    cliPeakMb1k: fields.cliPeakMb1k ?? null,
    cliPeakMb100k: fields.cliPeakMb100k ?? null,
    workerPeakMb1k: fields.workerPeakMb1k ?? null,
    workerPeakMb100k: fields.workerPeakMb100k ?? null,
    ...fields,
    sizes: Object.values(bySize).map((m) => m.rows),
    sizesRequested: sizes,
    concurrency,
    bySize,
  };
}

/** 1000 → "1k", 2500 → "2.5k", 100000 → "100k". */
export function label(rows) {
  return rows % 1000 === 0 || rows > 1000 ? `${Number((rows / 1000).toFixed(1))}k` : String(rows);
}

async function measureSize(rows, concurrency) {
  const stack = await startStack({ runDurationMs: 0 });
  try {
    const { dir, path } = await writeManifest(rows);
    const workerIdleMb = peakRssMb(stack.worker.pid);
    console.error(`memory: durabatch run, ${rows} rows of 0 ms runs at concurrency ${concurrency}…`);
    const cpu = cpuMeter({ server: stack.server.pid, worker: stack.worker.pid });
    const t0 = performance.now();
    // The worker's memory along the run: does its peak come from the first rows, or grow with the batch?
    const samples = [];
    const sample = () => {
      const { runsCreated } = stack.sim.counters();
      const at = { seconds: round((performance.now() - t0) / 1000, 0), rows: runsCreated };
      samples.push({
        ...at,
        workerRssMb: round(rssMb(stack.worker.pid), 0),
        workerPeakMb: round(peakRssMb(stack.worker.pid), 0),
      });
    };
    const sampler = setInterval(sample, SAMPLE_EVERY_MS);
    const cli = await runCli(stack, { path, dir, rows, concurrency }).finally(() => clearInterval(sampler));
    sample();
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = cpu();
    if (cli.code !== 0) throw new Error(`durabatch run exited ${cli.code}:\n${cli.output.slice(-2000)}`);
    // End to end: one result line per row, every row succeeded, one provider run per row and no run twice.
    const results = await checkResults(join(dir, 'data', cli.batchId, 'results.jsonl'));
    const runsCreated = stack.sim.counters().runsCreated;
    if (results.lines !== rows || results.succeeded !== rows || results.distinctRunIds !== rows || runsCreated !== rows)
      throw new Error(`${rows} rows: ${JSON.stringify({ ...results, runsCreated })}`);
    // History volume at this size (after the timing: listing every execution costs the server some CPU).
    const events = await countEvents(
      stack.client,
      `DurabatchBatchId = "${cli.batchId}"`,
      allClosed({ batchWorkflow: 1, itemWorkflow: rows }),
      { timeoutMs: 600_000 },
    );
    return {
      rows,
      cliPeakMb: round(cli.vmHwmKb / 1024, 1),
      workerPeakMb: round(peakRssMb(stack.worker.pid), 1),
      workerIdleMb: round(workerIdleMb, 1),
      seconds: round(seconds, 1),
      rowsPerSecond: round(rows / seconds),
      workerCpuSecondsPerRow: round(cpuSeconds.worker / rows, 4),
      serverCpuSecondsPerRow: round(cpuSeconds.server / rows, 4),
      eventsPerRow: round(events.total / rows, 2),
      eventsByType: Object.fromEntries(
        Object.entries(events.byType).map(([type, e]) => [type, { runs: e.runs, events: e.events }]),
      ),
      workerSamples: thin(samples, 40),
      // The node flags of the worker and CLI processes (the Docker image's, see common.mjs).
      nodeArgs: imageNodeArgs(),
      resultLines: results.lines,
      succeeded: results.succeeded,
      runsCreated,
    };
  } finally {
    await stack.close();
  }
}

/** `durabatch run` with the RSS probe preloaded; resolves with its exit code, output and VmHWM at exit. */
async function runCli(stack, { path, dir, rows, concurrency }) {
  const rssFile = join(dir, 'cli-rss.json');
  const args = [
    ...imageNodeArgs(),
    '--import',
    PROBE,
    CLI,
    'run',
    path,
    '--provider',
    'lamina',
    '--app',
    DEMO_LAMINA_APP_ID,
  ];
  args.push('--key-column', 'sku', '--concurrency', String(concurrency), '--data-dir', join(dir, 'data'));
  const batchId = `bench-mem-${rows}-${Date.now()}`;
  args.push('--batch-id', batchId);
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.server.address,
    DURABATCH_TASK_QUEUE: stack.taskQueue,
    LAMINA_BASE_URL: stack.sim.url,
    LAMINA_API_KEY: KEY,
    BENCH_RSS_FILE: rssFile,
  };
  const child = spawn(process.execPath, args, { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d.toString()));
  child.stderr.on('data', (d) => (output = (output + d.toString()).slice(-20_000)));
  const code = await new Promise((r) => child.once('exit', (c, signal) => r(c ?? signal)));
  const probe = JSON.parse(await readFile(rssFile, 'utf8').catch(() => '{}'));
  return { code, output, vmHwmKb: probe.vmHwmKb ?? null, batchId };
}

/** Reads results.jsonl line by line: how many lines, how many succeeded, how many distinct provider runs. */
async function checkResults(path) {
  const runIds = new Set();
  let lines = 0;
  let succeeded = 0;
  for await (const line of createInterface({ input: createReadStream(path) })) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    lines += 1;
    if (r.status === 'succeeded') succeeded += 1;
    if (r.runId) runIds.add(r.runId);
  }
  return { lines, succeeded, distinctRunIds: runIds.size };
}
