import { afterEach, describe, expect, it } from 'vitest';
import { startRedrive } from '../../src/cli/commands/redrive.js';
import type { ResultLine } from '../../src/shared/results-format.js';
import { DEMO_LAMINA_APP_ID, inputFingerprint, type SimulatorOptions } from '../../src/simulator/index.js';
import {
  batchInput,
  readResults,
  rowInputs,
  startBatch,
  startHarness,
  uniqueId,
  writeManifest,
  type Harness,
} from '../helpers/harness.js';

const fingerprint = (row: number) => inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(row));

describe('durabatch redrive', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function firstRun(name: string, rows: number, sim: SimulatorOptions) {
    h = await startHarness(name, { runDurationMs: { min: 100, max: 300 }, ...sim });
    await h.startWorker();
    const batchId = uniqueId(name);
    const manifest = await writeManifest(h.dir, rows);
    const result = await (await startBatch(h, batchInput(h, manifest, batchId, { concurrency: 6 }))).result();
    return { hh: h, batchId, lines: await readResults(result.resultsPath) };
  }

  function unchanged(before: ResultLine[], after: ResultLine[], rows: Set<number>): void {
    for (const line of after.filter((l) => !rows.has(l.row)))
      expect(line, `row ${line.row}`).toEqual(before[line.row - 1]);
  }

  it('runs only the failed rows again and merges their new results into the same results files', async () => {
    const rows = 30;
    const { hh, batchId, lines } = await firstRun('redrive-failed', rows, { failureRate: 0.3 });
    const failed = new Set(lines.filter((l) => l.status === 'failed').map((l) => l.row));
    expect(failed.size).toBeGreaterThan(0);
    expect(hh.sim.counters().runsCreated).toBe(rows);

    hh.sim.configure({ failureRate: 0 });
    const result = await (await startRedrive(hh.client, hh.taskQueue, batchId, ['failed'])).result();
    const after = await readResults(result.resultsPath);
    expect(after.map((l) => l.row)).toEqual(Array.from({ length: rows }, (_, i) => i + 1));
    expect(after.every((l) => l.status === 'succeeded')).toBe(true);
    expect(result.counts.succeeded).toBe(rows);
    unchanged(lines, after, failed);
    for (const row of failed) {
      const line = after[row - 1];
      expect(line?.runId, `row ${row}`).not.toBe(lines[row - 1]?.runId);
      expect(line?.attempts, `row ${row}`).toBe(2);
    }
    const counts = hh.sim.counters().runsCreatedByFingerprint;
    for (let row = 1; row <= rows; row++) expect(counts[fingerprint(row)], `row ${row}`).toBe(failed.has(row) ? 2 : 1);
    expect(hh.sim.counters().runsCreated).toBe(rows + failed.size);

    // Nothing failed any more: a second redrive starts no run and keeps every line.
    const again = await (await startRedrive(hh.client, hh.taskQueue, batchId, ['failed'])).result();
    expect(await readResults(again.resultsPath)).toEqual(after);
    expect(hh.sim.counters().runsCreated).toBe(rows + failed.size);
  });

  it('resubmits submit_unknown rows only with --unknown', async () => {
    const rows = 10;
    // The first two starts are cut after they were sent, before the provider created anything: the rows cannot know
    // that, and with no run to find they are held as submit_unknown (whatever the timing, unlike dropped answers).
    const { hh, batchId, lines } = await firstRun('redrive-unknown', rows, {
      faults: [{ kind: 'reset', rate: 1, count: 2, endpoints: ['lamina.start'] }],
    });
    const unknown = new Set(lines.filter((l) => l.status === 'submit_unknown').map((l) => l.row));
    expect(unknown.size).toBe(2);
    expect(hh.sim.counters().runsCreated).toBe(rows - 2);

    const failedOnly = await (await startRedrive(hh.client, hh.taskQueue, batchId, ['failed'])).result();
    expect(await readResults(failedOnly.resultsPath)).toEqual(lines);
    expect(hh.sim.counters().runsCreated).toBe(rows - 2);

    const result = await (await startRedrive(hh.client, hh.taskQueue, batchId, ['submit_unknown'])).result();
    const after = await readResults(result.resultsPath);
    expect(after.every((l) => l.status === 'succeeded')).toBe(true);
    unchanged(lines, after, unknown);
    const counts = hh.sim.counters().runsCreatedByFingerprint;
    for (let row = 1; row <= rows; row++) expect(counts[fingerprint(row)], `row ${row}`).toBe(1);
    expect(hh.sim.counters().runsCreated).toBe(rows);
  });
});
