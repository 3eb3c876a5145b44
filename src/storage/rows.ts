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

/** Rows read together by `readRow`: one index read and one manifest read serve this many rows. */
export const ROW_CHUNK = 200;
/** Chunks kept per process (about 200 rows each): a few MB, and a worker's rows in flight all hit. */
const MAX_CHUNKS = 64;
const chunks = new Map<string, Promise<NormalizedRow[]>>();

/**
 * Reads one row. The normalized manifest never changes once written, so rows are read a chunk at a time and the
 * chunk is kept (per process, the most recent MAX_CHUNKS): the run-start and the result line of a row, and its
 * neighbours on this worker, cost one index read and one manifest read per chunk instead of two reads each, which
 * on S3 are two requests each.
 */
export async function readRow(storage: BatchStorage, row: number): Promise<NormalizedRow> {
  const first = Math.floor((row - 1) / ROW_CHUNK) * ROW_CHUNK + 1;
  const key = `${storage.location}\n${first}`;
  let chunk = chunks.get(key);
  if (chunk) {
    chunks.delete(key); // most recently used last
  } else {
    chunk = readChunk(storage, first);
    chunk.catch(() => chunks.delete(key));
  }
  chunks.set(key, chunk);
  while (chunks.size > MAX_CHUNKS) chunks.delete(chunks.keys().next().value as string);
  const found = (await chunk)[row - first];
  if (!found || found.row !== row) throw new Error(`row ${row} is not in the manifest`);
  return found;
}

/** Rows `first`.. up to ROW_CHUNK of them, fewer at the end of the manifest. */
async function readChunk(storage: BatchStorage, first: number): Promise<NormalizedRow[]> {
  const idx = await storage.readRange(ROW_INDEX_FILE, (first - 1) * ROW_INDEX_WIDTH, (ROW_CHUNK + 1) * ROW_INDEX_WIDTH);
  const entries = Math.floor(idx.length / ROW_INDEX_WIDTH);
  if (entries < 2) return [];
  const start = Number(idx.readBigUInt64BE(0));
  const end = Number(idx.readBigUInt64BE((entries - 1) * ROW_INDEX_WIDTH));
  const text = (await storage.readRange(MANIFEST_FILE, start, end - start)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as NormalizedRow);
}
