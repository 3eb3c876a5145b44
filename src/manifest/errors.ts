/** Stable codes of {@link ManifestParseError}. Callers and tests branch on these, never on message text. */
export type ManifestParseErrorCode =
  | 'MANIFEST_UNKNOWN_FORMAT'
  | 'MANIFEST_UNREADABLE'
  | 'MANIFEST_NO_ROWS'
  | 'MANIFEST_INVALID_UTF8'
  | 'MANIFEST_LINE_TOO_LONG'
  | 'CSV_EMPTY_HEADER'
  | 'CSV_DUPLICATE_HEADER'
  | 'CSV_NOT_COMMA_SEPARATED'
  | 'CSV_RAGGED_ROW'
  | 'CSV_UNCLOSED_QUOTE'
  | 'CSV_STRAY_QUOTE'
  | 'CSV_INVALID'
  | 'JSON_NOT_ARRAY'
  | 'JSON_INVALID'
  | 'JSON_TRUNCATED'
  | 'JSON_NOT_OBJECT'
  | 'JSON_NESTED_VALUE'
  | 'JSON_DUPLICATE_PROPERTY';

/** Where in the manifest a problem sits; every field is null when unknown or not applicable. */
export interface ManifestLocation {
  /** 1-based data row (header excluded). */
  row?: number | null;
  /** 1-based physical line of the file. */
  line?: number | null;
  /** Manifest column (CSV header name or JSON key), as in ManifestIssue.column. */
  column?: string | null;
  cause?: unknown;
}

/**
 * Thrown by the manifest readers when the file cannot be read as a manifest at all: unknown extension, I/O error,
 * broken encoding, malformed CSV or JSON, nested values, or no rows. Reading stops at the first such problem, unlike
 * the normalizer's issues, which are collected row by row. The message names the place (line and/or row) and says
 * what to do; `code` is stable, and `row`, `line` and `column` repeat the place for programs. The CLI maps it to
 * exit code 2 (nothing was submitted).
 */
export class ManifestParseError extends Error {
  override readonly name = 'ManifestParseError';
  readonly code: ManifestParseErrorCode;
  readonly row: number | null;
  readonly line: number | null;
  readonly column: string | null;

  constructor(code: ManifestParseErrorCode, message: string, where: ManifestLocation = {}) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.code = code;
    this.row = where.row ?? null;
    this.line = where.line ?? null;
    this.column = where.column ?? null;
  }
}

/** The error for a file that holds no data rows (empty, header only, `[]`, blank lines only). */
export function noRowsError(detail: string): ManifestParseError {
  return new ManifestParseError('MANIFEST_NO_ROWS', `manifest has no rows: ${detail}; add at least one data row`);
}

/** Where a row sits, for messages: "row 12 (line 13)", or "row 12" when the line is not known (a JSON array). */
export function rowPlace(row: number, line: number | null | undefined): string {
  return typeof line === 'number' ? `row ${row} (line ${line})` : `row ${row}`;
}
