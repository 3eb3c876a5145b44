import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { NormalizedRow } from '../manifest/types.js';
import { MANIFEST_FILE, ROW_INDEX_FILE, ROW_INDEX_WIDTH } from './layout.js';
import type { BatchStorage } from './storage.js';

/**
 * Streams normalized rows into `manifest.jsonl` plus a fixed-width offset index, so that any row or range of
 * rows can later be read with two small reads. Writes go to `.part` files that are renamed by `commit()` and
 * removed by `abort()`: a failed validation leaves nothing behind.
 */
export class RowWriter {
  private readonly data: WriteStream;
  private readonly index: WriteStream;
  private offset = 0;
  private count = 0;

  constructor(private readonly storage: BatchStorage) {
    this.data = createWriteStream(storage.path(`${MANIFEST_FILE}.part`));
    this.index = createWriteStream(storage.path(`${ROW_INDEX_FILE}.part`));
    this.writeOffset();
  }

  async write(row: NormalizedRow): Promise<void> {
    const line = Buffer.from(JSON.stringify(row) + '\n', 'utf8');
    this.offset += line.length;
    this.count += 1;
    const ok = this.data.write(line);
    this.writeOffset();
    if (!ok) await once(this.data, 'drain');
  }

  get rowCount(): number {
    return this.count;
  }

  async commit(): Promise<void> {
    await Promise.all([close(this.data), close(this.index)]);
    await rename(this.storage.path(`${MANIFEST_FILE}.part`), this.storage.path(MANIFEST_FILE));
    await rename(this.storage.path(`${ROW_INDEX_FILE}.part`), this.storage.path(ROW_INDEX_FILE));
  }

  async abort(): Promise<void> {
    await Promise.all([close(this.data), close(this.index)]);
    await rm(this.storage.path(`${MANIFEST_FILE}.part`), { force: true });
    await rm(this.storage.path(`${ROW_INDEX_FILE}.part`), { force: true });
  }

  private writeOffset(): void {
    const buf = Buffer.alloc(ROW_INDEX_WIDTH);
    buf.writeBigUInt64BE(BigInt(this.offset));
    this.index.write(buf);
  }
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.closed) return resolve();
    stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** Reads rows `from`..`to` (1-based, inclusive) in manifest order. */
export async function readRowRange(storage: BatchStorage, from: number, to: number): Promise<NormalizedRow[]> {
  if (to < from) return [];
  const idx = await storage.readRange(ROW_INDEX_FILE, (from - 1) * ROW_INDEX_WIDTH, (to - from + 2) * ROW_INDEX_WIDTH);
  if (idx.length < (to - from + 2) * ROW_INDEX_WIDTH)
    throw new Error(`rows ${from}..${to} are not in the manifest index`);
  const start = Number(idx.readBigUInt64BE(0));
  const end = Number(idx.readBigUInt64BE(idx.length - ROW_INDEX_WIDTH));
  const text = (await storage.readRange(MANIFEST_FILE, start, end - start)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as NormalizedRow);
}

/** Reads one row. */
export async function readRow(storage: BatchStorage, row: number): Promise<NormalizedRow> {
  const [found] = await readRowRange(storage, row, row);
  if (!found) throw new Error(`row ${row} is not in the manifest`);
  return found;
}
