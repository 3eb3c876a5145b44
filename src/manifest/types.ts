/** Types shared by the manifest readers, the normalizer and the activities that use them. */

export type { ManifestFormat } from '../shared/batch-spec.js';

/** One data row as read from the file, before any mapping. `row` is 1-based over data rows (header excluded). */
export interface RawRow {
  row: number;
  /** 1-based line of the file where the row starts (CSV/JSONL), for messages. */
  line: number | null;
  fields: Record<string, unknown>;
}

/** A row ready to submit: provider input names → values, plus its identity. */
export interface NormalizedRow {
  row: number;
  /** The row key as the user wrote it (key column value, else the row number). */
  key: string;
  /** The key made safe for workflow ids and file names (see encodeRowKey). */
  id: string;
  inputs: Record<string, unknown>;
}

export interface ManifestIssue {
  /** 1-based data row, or null for a problem with the whole file (header, format). */
  row: number | null;
  /** The row's line in the file (where it starts), when the problem is in one row and the line is known. */
  line?: number | undefined;
  column: string | null;
  code: string;
  message: string;
}

export interface NormalizeOptions {
  keyColumn?: string | undefined;
  omit?: string[] | undefined;
  /** column name → provider input name */
  map?: Record<string, string> | undefined;
}
