// Scenario "orchestration": what durabatch itself costs per row when the provider costs nothing (simulator runs
// of 0 ms). On one dev server, one after the other: a durabatch batch (its own worker process), then the bare
// baselines of scripts/bench/bare-workflows.js in their own worker process: one workflow running one trivial
// activity per row (issue 7's baseline), and one child workflow per row running that activity. For each: rows
// per second, history events per row by workflow type, and CPU seconds per row of the worker and of the dev
// server (utime + stime from /proc), measured over the same interval.
import { BATCH_ID_KEY } from '../../dist/shared/search-attributes.js';
import { expectAllSucceeded, startBareWorkerProcess, startBatch, startStack, writeManifest } from './common.mjs';
import { allClosed, countEvents } from './events.mjs';
import { cpuMeter, round } from './proc.mjs';

export async function orchestration({ rows, concurrency, childBaseline }) {
  const stack = await startStack({ runDurationMs: 0 });
  const bareQueue = `${stack.taskQueue}-bare`;
  const bareWorker = startBareWorkerProcess(stack.server.address, bareQueue, null);
  try {
    await bareWorker.started;
    const pids = { server: stack.server.pid, worker: stack.worker.pid, bareWorker: bareWorker.pid, bench: process.pid };
    const { dir, path } = await writeManifest(rows);

    console.error(`orchestration: durabatch, ${rows} rows of 0 ms runs at concurrency ${concurrency}…`);
    const batchId = `bench-orch-${Date.now()}`;
    const query = `DurabatchBatchId = "${batchId}"`;
    const batch = await measure(stack.client, pids, query, { batchWorkflow: 1, itemWorkflow: rows }, async () => {
      const { handle } = await startBatch(stack, { batchId, path, dir, concurrency });
      expectAllSucceeded('orchestration', await handle.result(), rows);
    });

    console.error(`orchestration: bare baseline, one workflow, one trivial activity per row…`);
    const bare = await measureBare(stack.client, pids, bareQueue, 'bareWorkflow', { rows, concurrency });
    let children = null;
    if (childBaseline) {
      console.error(`orchestration: bare baseline, one child workflow per row with one trivial activity…`);
      children = await measureBare(stack.client, pids, bareQueue, 'bareChildrenWorkflow', { rows, concurrency });
    }

    const perRow = (x, digits = 4) => round(x / rows, digits);
    const ratio = (a, b) => round(a / b);
    const total = (m, worker) => m.cpu.server + m.cpu[worker];
    return {
      rows,
      concurrency,
      seconds: round(batch.seconds, 1),
      rowsPerSecond: round(rows / batch.seconds),
      eventsPerRow: perRow(batch.events.total, 2),
      cpuSecondsPerRow: perRow(batch.cpu.worker),
      serverCpuSecondsPerRow: perRow(batch.cpu.server),
      bareSeconds: round(bare.seconds, 1),
      bareRowsPerSecond: round(rows / bare.seconds),
      bareEventsPerRow: perRow(bare.events.total, 2),
      bareCpuSecondsPerRow: perRow(bare.cpu.bareWorker),
      bareServerCpuSecondsPerRow: perRow(bare.cpu.server),
      bareRuns: bare.runs,
      ratios: {
        workerCpu: ratio(batch.cpu.worker, bare.cpu.bareWorker),
        serverCpu: ratio(batch.cpu.server, bare.cpu.server),
        totalCpu: ratio(total(batch, 'worker'), total(bare, 'bareWorker')),
        events: ratio(batch.events.total, bare.events.total),
        rowsPerSecond: ratio(bare.seconds, batch.seconds),
      },
      cpuSeconds: roundAll(batch.cpu),
      bareCpuSeconds: roundAll(bare.cpu),
      eventsByType: byTypePerRow(batch.events.byType, rows),
      bareEventsByType: byTypePerRow(bare.events.byType, rows),
      childBaseline: children && {
        seconds: round(children.seconds, 1),
        rowsPerSecond: round(rows / children.seconds),
        eventsPerRow: perRow(children.events.total, 2),
        cpuSecondsPerRow: perRow(children.cpu.bareWorker),
        serverCpuSecondsPerRow: perRow(children.cpu.server),
        runs: children.runs,
        cpuSeconds: roundAll(children.cpu),
        eventsByType: byTypePerRow(children.events.byType, rows),
        durabatchTotalCpuRatio: ratio(total(batch, 'worker'), total(children, 'bareWorker')),
      },
    };
  } finally {
    await bareWorker.stop().catch(() => undefined);
    await stack.close();
  }
}

/** Runs `work`, then counts (once `min` runs of each type are listed) the history events of what `query` lists once all of it is closed. */
async function measure(client, pids, query, min, work) {
  const cpu = cpuMeter(pids);
  const t0 = performance.now();
  const result = await work();
  const seconds = (performance.now() - t0) / 1000;
  const used = cpu();
  const events = await countEvents(client, query, allClosed(min));
  return { seconds, cpu: used, events, result };
}

async function measureBare(client, pids, taskQueue, type, { rows, concurrency }) {
  const id = `bench-${type}-${Date.now()}`;
  const min = { [type]: 1, ...(type === 'bareChildrenWorkflow' ? { bareRowWorkflow: rows } : {}) };
  const m = await measure(client, pids, `DurabatchBatchId = "${id}"`, min, async () => {
    const handle = await client.workflow.start(type, {
      workflowId: id,
      taskQueue,
      args: [{ id, rows, concurrency }],
      typedSearchAttributes: [{ key: BATCH_ID_KEY, value: id }],
    });
    return handle.result();
  });
  if (m.result.done !== rows) throw new Error(`${type}: ${m.result.done} of ${rows} rows done`);
  return { ...m, runs: m.result.runs };
}

function roundAll(o) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, 1)]));
}

function byTypePerRow(byType, rows) {
  return Object.fromEntries(
    Object.entries(byType).map(([type, e]) => [
      type,
      { runs: e.runs, events: e.events, perRow: round(e.events / rows, 2) },
    ]),
  );
}
