// Scenario "recovery": SIGKILL the only worker mid-batch, start a new one, and time from the kill to the first
// row that finishes afterwards (a new result file in the batch's items/ folder: recordResult writes it as the
// row's last step). The rows in flight at the kill wait for their activity's heartbeat timeout (awaitRun: 20 s)
// before Temporal retries them on the new worker.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expectAllSucceeded, sleep, startBatch, startStack, startWorkerProcess, writeManifest } from './common.mjs';
import { round } from './proc.mjs';

/** awaitRun's heartbeat timeout in src/workflows/item.ts. */
export const AWAIT_RUN_HEARTBEAT_TIMEOUT_SECONDS = 20;

export async function recovery({ rows, concurrency, durationMs, killAfterRows, restartDelayMs, timeoutSeconds }) {
  const stack = await startStack({ runDurationMs: { min: durationMs * 0.75, max: durationMs * 1.25 } });
  let replacement = null;
  try {
    const { dir, path } = await writeManifest(rows);
    console.error(`recovery: ${rows} rows at concurrency ${concurrency}; SIGKILL after ${killAfterRows} rows…`);
    const { handle, storage } = await startBatch(stack, { batchId: `bench-rec-${Date.now()}`, path, dir, concurrency });
    const itemsDir = join(storage, 'items');
    while ((await rowsDone(itemsDir)) < killAfterRows) await sleep(100);

    const t0 = performance.now();
    stack.worker.child.kill('SIGKILL');
    await stack.worker.exited;
    const doneAtKill = await rowsDone(itemsDir);
    const inFlightAtKill = stack.sim.counters().activeRuns;
    if (restartDelayMs > 0) await sleep(restartDelayMs);
    replacement = startWorkerProcess(stack.server.address, stack.taskQueue, stack.sim.url, null);
    await replacement.started;
    const workerReadySeconds = (performance.now() - t0) / 1000;
    let seconds = null;
    while ((performance.now() - t0) / 1000 < timeoutSeconds) {
      if ((await rowsDone(itemsDir)) > doneAtKill) {
        seconds = (performance.now() - t0) / 1000;
        break;
      }
      await sleep(50);
    }
    console.error(`recovery: first row after the kill at ${seconds?.toFixed(1) ?? 'never'} s; finishing the batch…`);
    const t1 = performance.now();
    const result = await handle.result();
    expectAllSucceeded('recovery', result, rows);
    const runsCreated = stack.sim.counters().runsCreated;
    return {
      seconds: round(seconds, 1),
      heartbeatTimeoutSeconds: AWAIT_RUN_HEARTBEAT_TIMEOUT_SECONDS,
      rows,
      concurrency,
      runSeconds: durationMs / 1000,
      rowsDoneAtKill: doneAtKill,
      providerRunsActiveAtKill: inFlightAtKill,
      restartDelaySeconds: restartDelayMs / 1000,
      workerReadySeconds: round(workerReadySeconds, 1),
      restOfBatchSeconds: round((performance.now() - t1) / 1000, 1),
      runsCreated,
    };
  } finally {
    await replacement?.stop().catch(() => undefined);
    await stack.close();
  }
}

async function rowsDone(itemsDir) {
  try {
    return (await readdir(itemsDir)).filter((f) => f.endsWith('.json')).length;
  } catch {
    return 0;
  }
}
