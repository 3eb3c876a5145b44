import { extname } from 'node:path';
import { ManifestParseError } from './errors.js';
import { readCsvRows } from './read-csv.js';
import { readJsonRows } from './read-json.js';
import { readJsonlRows } from './read-jsonl.js';
import type { ManifestFormat, RawRow } from './types.js';

const FORMAT_BY_EXTENSION: Record<string, ManifestFormat> = {
  '.csv': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** Options of {@link readRows}. */
export interface ReadRowsOptions {
  /** Overrides the format told by the file extension (the CLI's `--format`). */
  format?: ManifestFormat | undefined;
  /**
   * Called once with the CSV header, before the first row (CSV rows leave empty cells out of `fields`). Optional:
   * the reader also attaches the header to the first row, where createNormalizer finds it. Not called for JSON.
   */
  onColumns?: ((columns: string[]) => void) | undefined;
}

/**
 * Tells a manifest's format from its file extension (case-insensitive): `.csv`, `.json`, `.jsonl` or `.ndjson`.
 * Any other extension is a ManifestParseError (`MANIFEST_UNKNOWN_FORMAT`) that names the accepted ones and `--format`.
 */
export function detectFormat(path: string): ManifestFormat {
  const extension = extname(path).toLowerCase();
  const format = FORMAT_BY_EXTENSION[extension];
  if (format !== undefined) return format;
  const found = extension === '' ? 'has no extension' : `has the extension '${extension}'`;
  throw new ManifestParseError(
    'MANIFEST_UNKNOWN_FORMAT',
    `cannot tell the format of the manifest ${path}: it ${found}; use a .csv, .json, .jsonl or .ndjson file, ` +
      `or pass --format csv|json|jsonl`,
  );
}

/**
 * Streams the data rows of a manifest (CSV, JSON array or JSONL), one RawRow at a time: memory does not grow with
 * the file's size, so files of hundreds of MB are fine. Anything that makes the file unreadable as a manifest —
 * I/O errors, invalid UTF-8, malformed CSV/JSON, nested JSON values, no rows at all — is thrown as a
 * ManifestParseError naming the line or row and the fix. Row-level validation is the normalizer's job.
 */
export function readRows(path: string, options: ReadRowsOptions = {}): AsyncGenerator<RawRow> {
  const format = options.format ?? detectFormat(path);
  switch (format) {
    case 'csv':
      return readCsvRows(path, options.onColumns);
    case 'json':
      return readJsonRows(path);
    case 'jsonl':
      return readJsonlRows(path);
  }
}
