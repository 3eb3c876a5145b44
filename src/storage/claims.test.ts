import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimRun, readClaim } from './claims.js';
import { LocalStorage } from './local.js';
import { clearPending, inputsFingerprint, listPending, markPending } from './submits.js';

let dir: string;
let storage: LocalStorage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'durabatch-claims-'));
  storage = new LocalStorage(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run claims', () => {
  it('give a run to the first row that claims it, idempotently, and refuse it to every other row', async () => {
    expect(await readClaim(storage, 'run/1?x')).toBeNull();
    expect(await claimRun(storage, 'run/1?x', 'row-a')).toBe('row-a');
    expect(await claimRun(storage, 'run/1?x', 'row-a')).toBe('row-a');
    expect(await claimRun(storage, 'run/1?x', 'row-b')).toBe('row-a');
    expect(await readClaim(storage, 'run/1?x')).toBe('row-a');
    expect(await claimRun(storage, 'run-2', 'row-b')).toBe('row-b');
  });

  it('let exactly one of many concurrent claimants win, leaving no temporary files', async () => {
    const owners = await Promise.all(Array.from({ length: 20 }, (_, i) => claimRun(storage, 'contested', `row-${i}`)));
    expect(new Set(owners).size).toBe(1);
    expect(await readdir(join(dir, 'claims'))).toHaveLength(1);
  });
});

describe('the pending list of unresolved run-starts', () => {
  it('keeps the earliest start of a row, lists every row and forgets a cleared one', async () => {
    await markPending(storage, { id: 'row-a', since: '2026-01-01T10:00:05.000Z', fingerprint: 'f1' });
    await markPending(storage, { id: 'row-a', since: '2026-01-01T10:00:09.000Z', fingerprint: 'f1' });
    await markPending(storage, { id: 'row-b', since: '2026-01-01T10:00:07.000Z', fingerprint: 'f2' });
    const listed = (await listPending(storage)).sort((a, b) => a.id.localeCompare(b.id));
    expect(listed).toEqual([
      { id: 'row-a', since: '2026-01-01T10:00:05.000Z', fingerprint: 'f1' },
      { id: 'row-b', since: '2026-01-01T10:00:07.000Z', fingerprint: 'f2' },
    ]);
    await clearPending(storage, 'row-a');
    expect((await listPending(storage)).map((p) => p.id)).toEqual(['row-b']);
  });

  it('is empty before any row was sent', async () => {
    expect(await listPending(storage)).toEqual([]);
  });
});

describe('inputsFingerprint', () => {
  it('is the same for equal inputs in any key order and differs for other values', () => {
    const a = inputsFingerprint({ Prompt: 'x', nested: { b: 1, a: [1, { d: 2, c: 3 }] } });
    const b = inputsFingerprint({ nested: { a: [1, { c: 3, d: 2 }], b: 1 }, Prompt: 'x' });
    expect(a).toBe(b);
    expect(inputsFingerprint({ Prompt: 'y' })).not.toBe(inputsFingerprint({ Prompt: 'x' }));
    expect(inputsFingerprint({ n: 1 })).not.toBe(inputsFingerprint({ n: '1' }));
  });
});
