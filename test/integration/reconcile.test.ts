import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultLine } from '../../src/shared/results-format.js';
import { DEMO_ARTU_WORKFLOW_ID, DEMO_LAMINA_APP_ID, inputFingerprint } from '../../src/simulator/index.js';
import type { FaultRule } from '../../src/simulator/types.js';
import type { SubmitRecord } from '../../src/storage/index.js';
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

/** Submit records of a batch, by row id. */
async function submitRecords(storage: string): Promise<Map<string, SubmitRecord>> {
  const records = new Map<string, SubmitRecord>();
  for (const name of await readdir(join(storage, 'submits'))) {
    const text = await readFile(join(storage, 'submits', name), 'utf8');
    records.set(name.replace(/\.json$/, ''), JSON.parse(text) as SubmitRecord);
  }
  return records;
}

const adoptedIn = (records: Map<string, SubmitRecord>) => [...records.values()].filter((r) => r.adopted).length;

describe('reconciling run-starts whose answer was lost', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** A fresh simulator per case: runs of an earlier case must not sit in the window of this one. */
  async function harness(name: string, faults: FaultRule[]): Promise<Harness> {
    h = await startHarness(name, { runDurationMs: { min: 100, max: 300 }, faults });
    await h.startWorker();
    return h;
  }

  async function runLamina(rows: number, faults: FaultRule[]) {
    const hh = await harness(`reconcile-lamina-${rows}`, faults);
    const batchId = uniqueId('reconcile-lamina');
    const manifest = await writeManifest(hh.dir, rows);
    const input = batchInput(hh, manifest, batchId, { concurrency: 6 });
    const result = await (await startBatch(hh, input)).result();
    const lines = await readResults(result.resultsPath);
    return { hh, batchId, lines, records: await submitRecords(input.storage) };
  }

  function expectOneRunPerRow(hh: Harness, lines: ResultLine[], fingerprint: (row: number) => string): void {
    const counts = hh.sim.counters().runsCreatedByFingerprint;
    for (const line of lines) expect(counts[fingerprint(line.row)] ?? 0, `row ${line.row}`).toBe(1);
  }

  const laminaFp = (row: number) => inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(row));

  it('adopts the run of a Lamina start whose answer was dropped, when no other start was in doubt', async () => {
    const { hh, lines, records } = await runLamina(12, [
      { kind: 'drop-after-accept', rate: 0.3, count: 1, endpoints: ['lamina.start'] },
    ]);
    expect(hh.sim.counters().faultsInjected['drop-after-accept']).toBe(1);
    expect(lines.map((l) => l.status)).toEqual(Array.from({ length: 12 }, () => 'succeeded'));
    expect(adoptedIn(records)).toBe(1);
    // The result line says so too.
    expect(lines.filter((l) => l.adopted === true)).toHaveLength(1);
    expectOneRunPerRow(hh, lines, laminaFp);
    expect(hh.sim.counters().requests['lamina.start']).toBe(12);
  });

  it('ends every Lamina row succeeded or submit_unknown when several starts are dropped, and never pays twice', async () => {
    const { hh, lines, records } = await runLamina(30, [
      { kind: 'drop-after-accept', rate: 0.15, count: 4, endpoints: ['lamina.start'] },
    ]);
    const dropped = hh.sim.counters().faultsInjected['drop-after-accept'] ?? 0;
    expect(dropped).toBeGreaterThan(0);
    const unknown = lines.filter((l) => l.status === 'submit_unknown');
    for (const line of lines) expect(['succeeded', 'submit_unknown'], `row ${line.row}`).toContain(line.status);
    expect(unknown.length + adoptedIn(records)).toBe(dropped);
    for (const line of unknown) expect(line.error?.message).toMatch(/not guessing|no unowned run/);
    expectOneRunPerRow(hh, lines, laminaFp);
    expect(hh.sim.counters().requests['lamina.start']).toBe(30);
  });

  it('adopts every dropped Artu start by its inputs', async () => {
    const hh = await harness('reconcile-artu', [
      { kind: 'drop-after-accept', rate: 0.2, count: 6, endpoints: ['artu.trigger'] },
    ]);
    const rows = 30;
    const prompt = (i: number) => `caption ${i}`;
    const manifest = join(hh.dir, 'artu.csv');
    await writeFile(
      manifest,
      ['id,prompt', ...Array.from({ length: rows }, (_, k) => `r${k + 1},${prompt(k + 1)}`)].join('\n') + '\n',
    );
    const input = batchInput(
      hh,
      manifest,
      uniqueId('reconcile-artu'),
      { keyColumn: 'id', concurrency: 8 },
      {
        provider: 'artu',
        app: DEMO_ARTU_WORKFLOW_ID,
      },
    );
    const result = await (await startBatch(hh, input)).result();
    const lines = await readResults(result.resultsPath);
    const dropped = hh.sim.counters().faultsInjected['drop-after-accept'] ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(lines.map((l) => l.status)).toEqual(Array.from({ length: rows }, () => 'succeeded'));
    expect(adoptedIn(await submitRecords(input.storage))).toBe(dropped);
    expectOneRunPerRow(hh, lines, (row) => inputFingerprint('artu', DEMO_ARTU_WORKFLOW_ID, { prompt: prompt(row) }));
    expect(hh.sim.counters().requests['artu.trigger']).toBe(rows);
  });

  it('ends a hanging start before the activity times out, so the retry runs alone and adopts the late run', async () => {
    // The start is answered after 27 s, beyond what one submit attempt (30 s start-to-close) gives itself.
    const { hh, batchId, lines, records } = await runLamina(1, [
      { kind: 'slow', rate: 1, count: 1, delayMs: 27_000, endpoints: ['lamina.start'] },
    ]);
    expect(lines[0]?.status).toBe('succeeded');
    expect(adoptedIn(records)).toBe(1);
    expect(hh.sim.counters().requests['lamina.start']).toBe(1);
    expectOneRunPerRow(hh, lines, laminaFp);
    const history = await hh.client.workflow.getHandle(`${batchId}/SKU-1`).fetchHistory();
    const started = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    const submit = started[0]?.activityTaskStartedEventAttributes;
    // The first attempt ended itself (handing over to the next), it did not time out.
    expect(submit?.attempt).toBeGreaterThan(1);
    expect(submit?.lastFailure?.timeoutFailureInfo).toBeFalsy();
    expect(submit?.lastFailure?.applicationFailureInfo?.type).toBe('SubmitReconciling');
    expect(history.events?.some((e) => e.activityTaskTimedOutEventAttributes)).toBe(false);
  }, 120_000);
});
