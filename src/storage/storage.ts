/**
 * Where a batch keeps its rows, per-row results, downloads and exports. Workflows carry only the location
 * string; activities open it with `openStorage`. The local-directory implementation is the default; an
 * S3-compatible one can implement the same interface for workers on several machines.
 */
export interface BatchStorage {
  /** Absolute location, recorded in the batch's input and memo so every command finds it from the batch id. */
  readonly location: string;
  /** Local file path for a relative path (downloads stream straight into it). */
  path(rel: string): string;
  /** Writes the whole file at once: readers see the old content or the new, never a torn file. */
  writeAtomic(rel: string, data: string | Uint8Array): Promise<void>;
  /** The file's text, or null when it does not exist. */
  readText(rel: string): Promise<string | null>;
  /** Reads `length` bytes at `offset`. */
  readRange(rel: string, offset: number, length: number): Promise<Buffer>;
  exists(rel: string): Promise<boolean>;
  remove(rel: string): Promise<void>;
  ensureDir(rel: string): Promise<void>;
  /** Names of the files directly in a folder (not starting with '.'); empty when the folder does not exist. */
  list(rel: string): Promise<string[]>;
  /**
   * Creates a file only if none exists, atomically and with its whole content: true when this call created it,
   * false when the file was already there (its content is left untouched).
   */
  createExclusive(rel: string, data: string): Promise<boolean>;
}
