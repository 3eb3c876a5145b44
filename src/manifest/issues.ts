import type { ManifestIssue, RawRow } from './types.js';

/** Stable codes of the normalizer's ManifestIssues. */
export type ManifestIssueCode =
  | 'KEY_COLUMN_MISSING'
  | 'OMIT_COLUMN_MISSING'
  | 'MAP_COLUMN_MISSING'
  | 'OMIT_MAP_CONFLICT'
  | 'COLUMN_UNMATCHED'
  | 'COLUMN_AMBIGUOUS'
  | 'INPUT_DUPLICATED'
  | 'REQUIRED_INPUT_MISSING'
  | 'KEY_EMPTY'
  | 'KEY_DUPLICATE'
  | 'KEY_CASE_CONFLICT'
  | 'KEY_TOO_LONG'
  | 'VALUE_REQUIRED'
  | 'VALUE_NOT_ALLOWED'
  | 'VALUE_NOT_URL'
  | 'VALUE_PRIVATE_URL'
  | 'VALUE_NOT_NUMBER'
  | 'VALUE_INVALID'
  | 'VALUE_TOO_LONG';

/**
 * Collects issues up to a limit and counts all of them. Problems with columns or options ("file issues") and problems
 * with single cells ("row issues") are kept apart, each up to the limit, and file issues are listed first: one
 * wrong column can otherwise hide behind a thousand rows that fail because of it.
 */
export class IssueCollector {
  private readonly fileIssues: ManifestIssue[] = [];
  private readonly rowIssues: ManifestIssue[] = [];
  private total = 0;

  constructor(private readonly max: number) {}

  /** Number of issues seen so far, kept or not. */
  get count(): number {
    return this.total;
  }

  /** Records a problem with a column, an option or the app (row is where a JSON column first appeared, or null). */
  file(row: number | null, column: string | null, code: ManifestIssueCode, message: string): void {
    this.add(this.fileIssues, { row, column, code, message });
  }

  /** Records a problem with one cell or row, at the row's number and, when known, the line where it starts. */
  row(at: Pick<RawRow, 'row' | 'line'>, column: string | null, code: ManifestIssueCode, message: string): void {
    const { row, line } = at;
    this.add(this.rowIssues, { row, ...(line === null ? {} : { line }), column, code, message });
  }

  /** The kept issues, file issues first, at most `max` in all. */
  list(): ManifestIssue[] {
    return [...this.fileIssues, ...this.rowIssues].slice(0, this.max);
  }

  private add(target: ManifestIssue[], issue: ManifestIssue): void {
    this.total++;
    if (target.length < this.max) target.push(issue);
  }
}

/** Characters a terminal shows as nothing or as a plain space: control, format and no-break characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this spells out
const INVISIBLE = /[\u0000-\u001f\u007f-\u00a0\u00ad\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/gu;

/** A column name for a message, with invisible characters spelled out (`Prompt\u{a0}`), which a user cannot see. */
export function visibleName(name: string): string {
  return name.replace(INVISIBLE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

/** "a, b, c" for messages, cut after `max` names with a count of the rest. */
export function listNames(names: readonly string[], max = 30): string {
  const shown = names.slice(0, max).map(visibleName).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** A cell value quoted for a message, shortened when long. */
export function showValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return `'${text.length > 60 ? `${text.slice(0, 57)}...` : text}'`;
}

/** A word as typed in a shell: as it is when that is safe, else in single quotes. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_.@%+/:=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `--omit COLUMN` as a user can type it, or null when --omit cannot name it (it splits on commas and trims). */
export function omitFlag(column: string): string | null {
  return column.includes(',') || column.trim() !== column ? null : `--omit ${shellWord(column)}`;
}

/**
 * `--map COLUMN=<placeholder>` with the column as a user can type it, or null when --map cannot name the column (it
 * splits on '=').
 */
export function mapFlag(column: string, placeholder: string): string | null {
  return column.includes('=') ? null : `--map ${shellWord(column)}=${placeholder}`;
}
