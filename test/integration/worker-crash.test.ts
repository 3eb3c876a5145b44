import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LAMINA_APP_ID, inputFingerprint } from '../../src/simulator/index.js';
import {
  batchInput,
  rowInputs,
  startBatch,
  startHarness,
  uniqueId,
  writeManifest,
  type Harness,
  readResults,
} from '../helpers/harness.js';
import { spawnCli, waitFor, type Spawned } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

const ROWS = 120;

describe('a worker killed with SIGKILL in the middle of a batch', () => {
  let h: Harness;
  const workers: Spawned[] = [];

  beforeAll(async () => {
    h = await startHarness('worker-crash', { runDurationMs: { min: 800, max: 1500 } });
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await h?.stop();
  });

  it('is replaced by a new worker process that finishes every row without creating any run twice', async () => {
    const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
    const first = spawnCli(['worker'], env);
    workers.push(first);
    const batchId = uniqueId('crash');
    const manifest = await writeManifest(h.dir, ROWS);
    const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: 15, pageSize: 40 }));

    await waitFor('a third of the runs to be created', () => h.sim.counters().runsCreated >= ROWS / 3);
    first.child.kill('SIGKILL');
    await first.exited;
    const createdAtKill = h.sim.counters().runsCreated;
    expect(createdAtKill).toBeLessThan(ROWS);

    const second = spawnCli(['worker'], env);
    workers.push(second);
    const result = await handle.result();

    const lines = await readResults(result.resultsPath);
    expect(lines).toHaveLength(ROWS);
    const counts = h.sim.counters().runsCreatedByFingerprint;
    for (const line of lines) {
      expect(['succeeded', 'submit_unknown']).toContain(line.status);
      const fp = inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(line.row));
      expect(counts[fp] ?? 0, `row ${line.row}`).toBeLessThanOrEqual(1);
      if (line.status === 'succeeded') expect(counts[fp], `row ${line.row}`).toBe(1);
    }
    // A kill can only leave the few rows whose start was on the wire in doubt.
    expect(lines.filter((l) => l.status === 'submit_unknown').length).toBeLessThanOrEqual(15);
  });
});

describe('a worker stopped with SIGTERM while run-starts are on the wire', () => {
  let h: Harness;
  const workers: Spawned[] = [];
  const ROWS_ON_THE_WIRE = 6;

  beforeAll(async () => {
    // Every run-start takes 6 s to answer (and creates its run even if the client has gone).
    h = await startHarness('worker-stop', {
      runDurationMs: 200,
      faults: [{ kind: 'slow', rate: 1, delayMs: 6_000, endpoints: ['lamina.start'] }],
    });
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await h?.stop();
  });

  it('lets those starts finish and records their runs: no row reconciles or ends submit_unknown', async () => {
    const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
    const first = spawnCli(['worker'], env);
    workers.push(first);
    const batchId = uniqueId('stop');
    const manifest = await writeManifest(h.dir, ROWS_ON_THE_WIRE);
    const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: ROWS_ON_THE_WIRE }));

    await waitFor(
      'every run-start to be on the wire',
      () => (h.sim.counters().requests['lamina.start'] ?? 0) >= ROWS_ON_THE_WIRE,
    );
    // At least one start is still waiting for its answer when the worker is told to stop.
    expect(h.sim.counters().runsCreated).toBeLessThan(ROWS_ON_THE_WIRE);
    first.child.kill('SIGTERM');
    expect(await first.exited, first.output()).toBe(0);
    // The worker waited for its starts' answers before it exited.
    expect(h.sim.counters().runsCreated).toBe(ROWS_ON_THE_WIRE);

    const second = spawnCli(['worker'], env);
    workers.push(second);
    const lines = await readResults((await handle.result()).resultsPath);
    expect(lines).toHaveLength(ROWS_ON_THE_WIRE);
    const counts = h.sim.counters().runsCreatedByFingerprint;
    for (const line of lines) {
      expect(line, `row ${line.row}`).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(line.adopted, `row ${line.row} was reconciled`).toBeUndefined();
      expect(counts[inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(line.row))], `row ${line.row}`).toBe(1);
    }
    expect(h.sim.counters().runsCreated).toBe(ROWS_ON_THE_WIRE);
  });
});
