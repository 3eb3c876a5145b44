import type { Readable, Writable } from 'node:stream';

/**
 * Where a batch keeps its rows, per-row results, downloads and exports. Workflows carry only the location
 * string; activities open it with `openStorage`. It deals in keys (`items/<id>.json`, `outputs/<id>/0.png`) and
 * streams, never in local file paths, so that the same code runs on a local folder and on S3-compatible storage.
 */
export interface BatchStorage {
  /** Where the batch lives, recorded in the batch's input and memo so every command finds it from the batch id. */
  readonly location: string;
  /** Where a key is, for people: a file path for a local folder, an `s3://` URL for S3. */
  urlOf(key: string): string;
  /** Writes the whole object at once: readers see the old content or the new, never a torn object. */
  writeAtomic(key: string, data: string | Uint8Array): Promise<void>;
  /** The object's text, or null when it does not exist. */
  readText(key: string): Promise<string | null>;
  /** Reads `length` bytes at `offset` (fewer at the end of the object). */
  readRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** The object as a stream, or null when it does not exist. */
  openRead(key: string): Promise<Readable | null>;
  /**
   * A writer whose content appears under `key` whole when `commit()` resolves, or not at all: nothing partial is
   * ever visible under the key, and `abort()` leaves nothing behind.
   */
  createWriter(key: string): Promise<StorageWriter>;
  /** True when the object exists. */
  exists(key: string): Promise<boolean>;
  /** Removes the object (nothing when it does not exist). */
  remove(key: string): Promise<void>;
  /** Removes every object under the prefix `key/` ('' for the whole batch). */
  removeAll(key: string): Promise<void>;
  /** Names directly under the prefix `key/` (objects and sub-prefixes), without partial or hidden ones. */
  list(key: string): Promise<string[]>;
  /**
   * Creates an object only if none exists, atomically and with its whole content: true when this call created it,
   * false when it was already there (its content is left untouched).
   */
  createExclusive(key: string, data: string): Promise<boolean>;
}

/** An object being written: write to `stream`, then `commit()` (or `abort()`). */
export interface StorageWriter {
  readonly stream: Writable;
  /** Ends the stream and makes the object visible under its key. */
  commit(): Promise<void>;
  /** Drops what was written. Safe to call after a failed write or twice. */
  abort(): Promise<void>;
}
