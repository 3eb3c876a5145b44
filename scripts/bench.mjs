#!/usr/bin/env node
// `npm run bench`: measures durabatch against its goals on this machine and writes bench/results.json and
// bench/RESULTS.md. Scenario "providerBound": N rows of fixed-length simulator runs at concurrency C, whose ideal
// time is N × duration / C; durabatch and a plain, non-durable promise pool (same adapter, same simulator) run in
// the same process tree one after the other, so the ratio compares like with like.
//   node scripts/bench.mjs [--rows 1000] [--concurrency 50] [--duration-ms 2000]
import { cpus } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEMO_LAMINA_APP_ID, startSimulator } from '../dist/simulator/index.js';
import { createLaminaAdapter } from '../dist/providers/index.js';
import { downloadToFile } from '../dist/providers/download.js';
import { batchInput, connect, KEY, startServer, startWorkerProcess, writeManifest } from './bench/common.mjs';
import { join } from 'node:path';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    'duration-ms': { type: 'string', default: '2000' },
  },
});
const rows = Number(values.rows);
const concurrency = Number(values.concurrency);
const durationMs = Number(values['duration-ms']);
const idealSeconds = (rows * durationMs) / 1000 / concurrency;

const server = await startServer();
const sim = await startSimulator({ port: 0, seed: 11, runDurationMs: durationMs, lamina: { apiKey: KEY } });
const { connection, client } = await connect(server.address);
const taskQueue = `bench-${Date.now()}`;
const worker = startWorkerProcess(server.address, taskQueue, sim.url, null);
await worker.started;

try {
  const { dir, path } = await writeManifest(rows);
  console.error(
    `durabatch: ${rows} rows × ${durationMs} ms at concurrency ${concurrency} (ideal ${idealSeconds.toFixed(1)} s)…`,
  );
  sim.resetCounters();
  const batchId = `bench-${Date.now()}`;
  const t0 = performance.now();
  const handle = await client.workflow.start('batchWorkflow', {
    workflowId: batchId,
    taskQueue,
    args: [batchInput({ batchId, manifest: path, dir, concurrency, app: DEMO_LAMINA_APP_ID })],
  });
  const result = await handle.result();
  const durabatchSeconds = (performance.now() - t0) / 1000;
  const durabatchPeak = sim.counters().peakActiveRuns;
  if (result.counts.succeeded !== rows)
    throw new Error(`durabatch: expected ${rows} succeeded, got ${JSON.stringify(result.counts)}`);

  console.error(`plain promise pool: same rows, same adapter…`);
  sim.resetCounters();
  const plainSeconds = await plainPool(sim.url, rows, concurrency, join(dir, 'plain'));
  const plainPeak = sim.counters().peakActiveRuns;

  const providerBound = {
    rows,
    concurrency,
    runSeconds: durationMs / 1000,
    idealSeconds: round(idealSeconds),
    durabatchSeconds: round(durabatchSeconds),
    plainSeconds: round(plainSeconds),
    ratioToIdeal: round(durabatchSeconds / idealSeconds, 3),
    ratioToPlain: round(durabatchSeconds / plainSeconds, 3),
    peakConcurrency: durabatchPeak,
    plainPeakConcurrency: plainPeak,
  };
  console.log(JSON.stringify(providerBound, null, 2));
  await record(providerBound);
} finally {
  await worker.stop();
  await connection.close();
  await sim.close();
  await server.stop();
}

/** The non-durable baseline: submit, wait, download with a pool of `concurrency` promises. */
async function plainPool(simUrl, n, c, outDir) {
  await mkdir(outDir, { recursive: true });
  const adapter = createLaminaAdapter({ apiKey: KEY, baseUrl: simUrl });
  let next = 1;
  const t0 = performance.now();
  const lane = async () => {
    while (next <= n) {
      const i = next++;
      const { runId } = await adapter.startRun(DEMO_LAMINA_APP_ID, { Prompt: `bench product ${i}` });
      let snap = await adapter.waitRun(runId, { timeoutSeconds: 60 });
      while (!snap.terminal) snap = await adapter.waitRun(runId, { timeoutSeconds: 60 });
      for (const [k, o] of snap.outputs.entries()) {
        if (o.url) await downloadToFile({ url: o.url, destPath: join(outDir, `${i}-${k}.png`), maxBytes: 1e9 });
      }
    }
  };
  await Promise.all(Array.from({ length: c }, lane));
  return (performance.now() - t0) / 1000;
}

async function record(providerBound) {
  const file = new URL('../bench/results.json', import.meta.url);
  let previous = {};
  try {
    previous = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // first run
  }
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    measuredAt: new Date().toISOString(),
  };
  const results = { ...previous, machine, providerBound };
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
  const md = `# Benchmarks

Measured on this machine (${machine.cpus} cores, ${machine.cpuModel}, Node ${machine.node}) at ${machine.measuredAt},
with \`npm run bench\` (= \`node scripts/bench.mjs --rows ${providerBound.rows} --concurrency ${providerBound.concurrency} --duration-ms ${providerBound.runSeconds * 1000}\`).
The Temporal dev server, the simulator, one \`durabatch worker\` process and the benchmark itself share the machine.

## Provider-bound time

${providerBound.rows} rows, simulator runs of ${providerBound.runSeconds} s each, \`--concurrency ${providerBound.concurrency}\`.
Ideal time = rows × run time / concurrency = ${providerBound.idealSeconds} s.

| | seconds | ratio to ideal |
|---|---|---|
| durabatch (batch start → results exported) | ${providerBound.durabatchSeconds} | ${providerBound.ratioToIdeal} |
| plain promise pool, same adapter, no durability | ${providerBound.plainSeconds} | ${round(providerBound.plainSeconds / providerBound.idealSeconds, 3)} |

durabatch / plain = ${providerBound.ratioToPlain}. Goal: durabatch ≤ 1.10 × ideal.
Peak concurrent runs seen by the simulator: ${providerBound.peakConcurrency} under durabatch (must not exceed ${providerBound.concurrency}), ${providerBound.plainPeakConcurrency} under the plain pool.

${
  providerBound.ratioToIdeal <= 1.1
    ? 'The goal holds.'
    : `The goal does not hold on this machine. durabatch is CPU-bound here: the dev server, the worker, the simulator and
the benchmark share 2 cores, and a 500-row run measured 45 CPU-s in the dev server and 33 CPU-s in the worker over
44 s of wall time (1.84 of 2 cores busy), about 155 ms of CPU per row. Each row costs four workflow tasks and
three activity dispatches; see docs/decisions/0001-fewer-round-trips-per-row.md for what was measured and changed
(119 s → 71–80 s for this batch). Repeated runs of the same code vary by about ±5 s on this shared machine.`
}
`;
  await writeFile(new URL('../bench/RESULTS.md', import.meta.url), md);
}

function round(x, digits = 2) {
  return Number(x.toFixed(digits));
}
