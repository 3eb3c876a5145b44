import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage, StoragePathError } from './local.js';
import { readRow, readRowRange, ROW_CHUNK, RowWriter } from './rows.js';

describe('normalized rows in storage', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'durabatch-rows-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back any row and any range, multi-byte text included', async () => {
    const storage = new LocalStorage(dir);
    const writer = await RowWriter.open(storage);
    for (let i = 1; i <= 1200; i++) {
      await writer.write({
        row: i,
        key: `k${i}`,
        id: `k${i}`,
        inputs: { Prompt: `ünïcødé ${'✓'.repeat(i % 7)} ${i}` },
      });
    }
    await writer.commit();
    expect((await readRow(storage, 1)).key).toBe('k1');
    expect((await readRow(storage, 1200)).inputs.Prompt).toContain('1200');
    const range = await readRowRange(storage, 499, 503);
    expect(range.map((r) => r.row)).toEqual([499, 500, 501, 502, 503]);
    await expect(readRow(storage, 1201)).rejects.toThrow(/not in the manifest/);
  });

  it('leaves nothing behind when aborted', async () => {
    const storage = new LocalStorage(dir);
    const writer = await RowWriter.open(storage);
    await writer.write({ row: 1, key: 'a', id: 'a', inputs: {} });
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses keys that escape the batch directory', () => {
    const storage = new LocalStorage(dir);
    expect(() => storage.file('../elsewhere')).toThrow(StoragePathError);
    expect(() => storage.file('/etc/passwd')).toThrow(StoragePathError);
    expect(storage.file('items/a.json')).toBe(join(dir, 'items/a.json'));
  });

  it('writes atomically and reads missing files as null', async () => {
    const storage = new LocalStorage(dir);
    expect(await storage.readText('items/x.json')).toBeNull();
    await storage.writeAtomic('items/x.json', '{"a":1}');
    await storage.writeAtomic('items/x.json', '{"a":2}');
    expect(await storage.readText('items/x.json')).toBe('{"a":2}');
    expect(await readdir(join(dir, 'items'))).toEqual(['x.json']);
  });
});

describe('reading one row at a time', () => {
  it('reads a chunk of rows once and serves every row of it, across chunk ends and the end of the manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'durabatch-chunks-'));
    try {
      const local = new LocalStorage(dir);
      const writer = await RowWriter.open(local);
      const rows = ROW_CHUNK + 30;
      for (let i = 1; i <= rows; i++) await writer.write({ row: i, key: `k${i}`, id: `k${i}`, inputs: { n: i } });
      await writer.commit();
      let reads = 0;
      const counted = Object.create(local, {
        readRange: { value: (...args: Parameters<LocalStorage['readRange']>) => (reads++, local.readRange(...args)) },
      }) as LocalStorage;
      for (let i = 1; i <= rows; i++) expect((await readRow(counted, i)).inputs.n).toBe(i);
      expect(reads).toBe(4); // two chunks, an index read and a manifest read each
      await expect(readRow(counted, rows + 1)).rejects.toThrow(/not in the manifest/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
