import { ManifestParseError, rowPlace } from './errors.js';
import type { RawRow } from './types.js';

/** Non-enumerable property of the first CSV row that carries the whole header (empty cells are not in `fields`). */
const HEADER = Symbol('durabatch.manifest.header');

/** Attaches the file's column list to a row without changing its fields or its JSON form. */
export function attachHeader(row: RawRow, columns: string[]): RawRow {
  Object.defineProperty(row, HEADER, { value: columns, enumerable: false });
  return row;
}

/** The column list attached by the CSV reader to its first row, or null (JSON rows, or rows copied since). */
export function headerOf(row: RawRow): string[] | null {
  const columns = (row as RawRow & { [HEADER]?: unknown })[HEADER];
  return Array.isArray(columns) ? (columns as string[]) : null;
}

/** Non-enumerable property of a JSON manifest's first row: all its keys, those set to null included. */
const FIRST_ROW_KEYS = Symbol('durabatch.manifest.firstRowKeys');

/**
 * One JSON/JSONL element as a row (see flatFields). The first row also carries every key it names, so that a key
 * set to null there still counts as a column: its cell is empty, not the column missing.
 */
export function jsonRow(value: unknown, row: number, line: number | null): RawRow {
  const raw: RawRow = { row, line, fields: flatFields(value, row, line) };
  if (row === 1) Object.defineProperty(raw, FIRST_ROW_KEYS, { value: Object.keys(value as object), enumerable: false });
  return raw;
}

/** The columns a manifest's first row shows: the CSV header, else the first JSON row's keys. */
export function firstRowColumns(row: RawRow): string[] {
  const keys = (row as RawRow & { [FIRST_ROW_KEYS]?: unknown })[FIRST_ROW_KEYS];
  return headerOf(row) ?? (Array.isArray(keys) ? (keys as string[]) : Object.keys(row.fields));
}

/** The row's own value for a column; never something inherited such as `constructor`. */
export function ownField(fields: Record<string, unknown>, column: string): unknown {
  return Object.hasOwn(fields, column) ? fields[column] : undefined;
}

/**
 * Sets an own property even for names like `__proto__`, which a plain assignment would turn into a prototype
 * change. Column names come from user files, so every row object is built through this.
 */
export function setField(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}

/**
 * Checks that one parsed JSON/JSONL element is a flat object and returns its fields. `null` values are dropped
 * (absent, like an empty CSV cell); strings, numbers and booleans keep their types; a nested object or array is a
 * ManifestParseError naming the row and column.
 */
export function flatFields(value: unknown, row: number, line: number | null): Record<string, unknown> {
  const where = rowPlace(row, line);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestParseError(
      'JSON_NOT_OBJECT',
      `${where} is ${describeJson(value)}, not an object; every row must be an object of column → value, ` +
        `like {"prompt": "…", "style": "…"}`,
      { row, line },
    );
  }
  const fields: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(value)) {
    if (cell === null) continue;
    if (typeof cell === 'object') {
      throw new ManifestParseError(
        'JSON_NESTED_VALUE',
        `${where}, column '${column}' holds ${describeJson(cell)}; manifest rows must be flat — ` +
          `flatten it into separate columns or join it into a string`,
        { row, line, column },
      );
    }
    setField(fields, column, cell);
  }
  return fields;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a nested object';
  return `a ${typeof value}`;
}

/**
 * A row object that names one property twice: JSON.parse and stream-json keep the last value and drop the others
 * without a word, so the row would run with a value the user may not have meant.
 */
export function duplicatePropertyError(key: string, row: number, line: number | null): ManifestParseError {
  const where = rowPlace(row, line);
  return new ManifestParseError(
    'JSON_DUPLICATE_PROPERTY',
    `${where} names property '${key}' twice; JSON would keep only the last value, so remove one of them`,
    { row, line, column: key },
  );
}

/**
 * The first property named twice at the top level of one JSON object's text, or null. `keyCount` is how many keys
 * the parsed object has: when the text holds no more colons than that, no key can repeat, and the scan is skipped.
 * The scan jumps from string to string; `text` has already parsed as JSON, so it is well-formed.
 */
export function duplicateTopLevelKey(text: string, keyCount: number): string | null {
  if (count(text, ':') <= keyCount) return null;
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    if (c !== 0x22) continue;
    let end = text.indexOf('"', i + 1);
    while (end > 0 && escaped(text, end)) end = text.indexOf('"', end + 1);
    if (end < 0) return null;
    let next = end + 1;
    while (next < text.length && ' \t\r\n'.includes(text.charAt(next))) next++;
    if (depth === 1 && text.charCodeAt(next) === 0x3a) {
      const raw = text.slice(i + 1, end);
      const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
      if (seen.has(key)) return key;
      seen.add(key);
    }
    i = end;
  }
  return null;
}

function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/** Whether the quote at `at` is escaped: an odd run of backslashes before it. */
function escaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (at - backslashes - 1 >= 0 && text.charCodeAt(at - backslashes - 1) === 0x5c) backslashes++;
  return backslashes % 2 === 1;
}
