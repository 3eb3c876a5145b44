// Scenario "providerBound": N rows of simulator runs of D ms (± jitter) at concurrency C, whose ideal time is
// N × mean D / C. durabatch and a plain, non-durable promise pool (same adapter, same simulator) run one after
// the other in the same process tree, so the ratio compares like with like.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_LAMINA_APP_ID } from '../../dist/simulator/index.js';
import { createLaminaAdapter } from '../../dist/providers/index.js';
import { download } from '../../dist/providers/download.js';
import { LocalStorage } from '../../dist/storage/index.js';
import { expectAllSucceeded, KEY, startBatch, startStack, writeManifest } from './common.mjs';
import { cpuMeter, round } from './proc.mjs';

export async function providerBound({ rows, concurrency, durationMs, jitterMs }) {
  const idealSeconds = (rows * durationMs) / 1000 / concurrency;
  const range = jitterMs > 0 ? { min: durationMs - jitterMs, max: durationMs + jitterMs } : durationMs;
  const stack = await startStack({ runDurationMs: range });
  try {
    const { dir, path } = await writeManifest(rows);
    console.error(
      `providerBound: durabatch, ${rows} rows × ${durationMs} ± ${jitterMs} ms at concurrency ${concurrency} (ideal ${idealSeconds.toFixed(1)} s)…`,
    );
    stack.sim.resetCounters();
    const cpu = cpuMeter({ server: stack.server.pid, worker: stack.worker.pid });
    const t0 = performance.now();
    const { handle } = await startBatch(stack, { batchId: `bench-pb-${Date.now()}`, path, dir, concurrency });
    const result = await handle.result();
    const durabatchSeconds = (performance.now() - t0) / 1000;
    const cpuSeconds = cpu();
    const counters = stack.sim.counters();
    expectAllSucceeded('providerBound', result, rows);

    console.error(`providerBound: plain promise pool, same rows, same adapter…`);
    stack.sim.resetCounters();
    const plainSeconds = await plainPool(stack.sim.url, rows, concurrency, join(dir, 'plain'));
    const plainPeak = stack.sim.counters().peakActiveRuns;
    return {
      rows,
      concurrency,
      runSeconds: durationMs / 1000,
      runJitterSeconds: jitterMs / 1000,
      idealSeconds: round(idealSeconds),
      durabatchSeconds: round(durabatchSeconds),
      plainSeconds: round(plainSeconds),
      ratioToIdeal: round(durabatchSeconds / idealSeconds, 3),
      ratioToPlain: round(durabatchSeconds / plainSeconds, 3),
      peakConcurrency: counters.peakActiveRuns,
      plainPeakConcurrency: plainPeak,
      runsCreated: counters.runsCreated,
      serverCpuSeconds: round(cpuSeconds.server, 1),
      workerCpuSeconds: round(cpuSeconds.worker, 1),
    };
  } finally {
    await stack.close();
  }
}

/** The non-durable baseline: submit, wait, download with a pool of `concurrency` promises. */
async function plainPool(simUrl, n, c, outDir) {
  await mkdir(outDir, { recursive: true });
  const adapter = createLaminaAdapter({ apiKey: KEY, baseUrl: simUrl });
  // As the worker does: output URLs may point at the provider's own host even when it is loopback.
  const privateHosts = [new URL(simUrl).hostname];
  const files = new LocalStorage(outDir);
  let next = 1;
  const t0 = performance.now();
  const lane = async () => {
    while (next <= n) {
      const i = next++;
      const { runId } = await adapter.startRun(DEMO_LAMINA_APP_ID, { Prompt: `bench product ${i}` });
      let snap = await adapter.waitRun(runId, { timeoutSeconds: 60 });
      while (!snap.terminal) snap = await adapter.waitRun(runId, { timeoutSeconds: 60 });
      for (const [k, o] of snap.outputs.entries()) {
        if (o.url)
          await download({ url: o.url, sink: () => files.createWriter(`${i}-${k}.png`), maxBytes: 1e9, privateHosts });
      }
    }
  };
  await Promise.all(Array.from({ length: c }, lane));
  return (performance.now() - t0) / 1000;
}
