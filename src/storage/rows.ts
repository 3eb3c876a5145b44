import { once } from 'node:events';
import type { NormalizedRow } from '../manifest/types.js';
import { MANIFEST_FILE, ROW_INDEX_FILE, ROW_INDEX_WIDTH } from './layout.js';
import type { BatchStorage, StorageWriter } from './storage.js';

/**
 * Streams normalized rows into `manifest.jsonl` plus a fixed-width offset index, so that any row or range of
 * rows can later be read with two small reads. Nothing is visible until `commit()`; `abort()` (a failed validation)
 * leaves nothing behind.
 */
export class RowWriter {
  private offset = 0;
  private count = 0;

  private constructor(
    private readonly data: StorageWriter,
    private readonly index: StorageWriter,
  ) {
    this.writeOffset();
  }

  static async open(storage: BatchStorage): Promise<RowWriter> {
    const data = await storage.createWriter(MANIFEST_FILE);
    try {
      return new RowWriter(data, await storage.createWriter(ROW_INDEX_FILE));
    } catch (err) {
      await data.abort();
      throw err;
    }
  }

  async write(row: NormalizedRow): Promise<void> {
    const line = Buffer.from(JSON.stringify(row) + '\n', 'utf8');
    this.offset += line.length;
    this.count += 1;
    const ok = this.data.stream.write(line);
    this.writeOffset();
    if (!ok) await once(this.data.stream, 'drain');
  }

  get rowCount(): number {
    return this.count;
  }

  /** The rows first, then their index: an index is never there without the rows it points into. */
  async commit(): Promise<void> {
    await this.data.commit();
    await this.index.commit();
  }

  async abort(): Promise<void> {
    await Promise.all([this.data.abort(), this.index.abort()]);
  }

  private writeOffset(): void {
    const buf = Buffer.alloc(ROW_INDEX_WIDTH);
    buf.writeBigUInt64BE(BigInt(this.offset));
    this.index.stream.write(buf);
  }
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
