import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redriveStatuses } from '../cli/commands/redrive.js';
import { itemFile, LocalStorage, RowWriter } from '../storage/index.js';
import { beginRedrive, loadRedriveKeys } from './redrive.js';

let dir: string;
let storage: LocalStorage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'durabatch-redrive-'));
  storage = new LocalStorage(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('redrive activities', () => {
  it('hand each redriving run the next generation, the same one again on a retry', async () => {
    const first = { storage: dir, runId: 'run-a', statuses: ['failed' as const] };
    expect(await beginRedrive(first)).toEqual({ generation: 1 });
    expect(await beginRedrive(first)).toEqual({ generation: 1 });
    expect(await beginRedrive({ ...first, runId: 'run-b' })).toEqual({ generation: 2 });
  });

  it('pick the rows of a range whose recorded status is redriven, in manifest order', async () => {
    const writer = await RowWriter.open(storage);
    const statuses = ['succeeded', 'failed', 'submit_unknown', null, 'failed'] as const;
    for (let row = 1; row <= statuses.length; row++)
      await writer.write({ row, key: `k${row}`, id: `k${row}`, inputs: {} });
    await writer.commit();
    for (const [i, status] of statuses.entries()) {
      if (status) await storage.writeAtomic(itemFile(`k${i + 1}`), JSON.stringify({ row: i + 1, status }));
    }
    const keys = await loadRedriveKeys({ storage: dir, from: 2, to: 5, statuses: ['failed'] });
    expect(keys).toEqual([
      { row: 2, id: 'k2', key: 'k2' },
      { row: 5, id: 'k5', key: 'k5' },
    ]);
    const both = await loadRedriveKeys({ storage: dir, from: 1, to: 5, statuses: ['failed', 'submit_unknown'] });
    expect(both.map((k) => k.row)).toEqual([2, 3, 5]);
  });
});

describe('redriveStatuses', () => {
  it('runs failed rows by default, unknown ones only when asked', () => {
    expect(redriveStatuses({})).toEqual(['failed']);
    expect(redriveStatuses({ unknown: true })).toEqual(['submit_unknown']);
    expect(redriveStatuses({ failed: true, unknown: true })).toEqual(['failed', 'submit_unknown']);
  });
});
