import { pipeline, Readable } from 'node:stream';
import { CsvError, parse, type Info, type Options } from 'csv-parse';
import { readBlocks } from './blocks.js';
import { ManifestParseError, noRowsError, rowPlace } from './errors.js';
import { attachHeader, setField } from './fields.js';
import type { RawRow } from './types.js';
import { plural } from '../shared/plural.js';

/** A single CSV row larger than this is refused: almost always an unclosed quote swallowing the rest of the file. */
const MAX_ROW_BYTES = 16 * 1024 * 1024;

/**
 * Tracks, inside the parser (as it reads, ahead of the rows handed on), the physical line where each record starts,
 * and the data rows read so far. csv-parse counts an embedded CRLF as two lines, so the start is derived from the
 * previous record's end, the blank lines skipped since, and the line breaks inside the cells; a parse error's line
 * is the parser's distance from the end of the last record, added to that record's physical end.
 */
class LineTracker {
  private end = 0;
  private parserEnd = 0;
  private emptyLines = 0;
  /** Data rows read so far (the header and rows of empty cells are not rows). */
  rows = 0;

  start(record: string[], info: Info): number {
    const line = this.end + 1 + (info.empty_lines - this.emptyLines);
    this.emptyLines = info.empty_lines;
    let breaks = 0;
    for (const cell of record) for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) breaks++;
    this.end = line + breaks;
    this.parserEnd = info.lines;
    return line;
  }

  /** The first line after the last complete record. */
  get next(): number {
    return this.end + 1;
  }

  /** The physical line of a line number the parser gave after the last complete record. */
  physical(parserLine: number): number {
    return this.end + Math.max(1, parserLine - this.parserEnd);
  }
}

interface ParsedRecord {
  record: string[];
  line: number;
  /** 0 for the header and for rows whose cells are all empty. */
  row: number;
}

/**
 * Reads an RFC 4180 CSV manifest (comma-separated, double-quoted cells, quotes doubled inside; LF or CRLF; UTF-8 with
 * or without BOM) as a stream. The header row is required; it is handed to `onColumns` before the first row and
 * attached to the first row for the normalizer (see attachHeader). Empty cells are left out of `fields`; rows whose
 * cells are all empty are skipped like blank lines; values stay strings.
 */
export async function* readCsvRows(path: string, onColumns?: (columns: string[]) => void): AsyncGenerator<RawRow> {
  const lines = new LineTracker();
  let seenHeader = false;
  const options: Options<ParsedRecord, { record: string[]; info: Info }> = {
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_ROW_BYTES,
    // Runs as the parser reads, so a parse error can name the row it stopped in, however far ahead of the rows
    // already handed on.
    on_record: ({ record, info }) => {
      const line = lines.start(record, info);
      const data = seenHeader && record.some((cell) => cell !== '');
      seenHeader = true;
      return { record, line, row: data ? ++lines.rows : 0 };
    },
  };
  const parser = parse(options as unknown as Options);
  pipeline(Readable.from(bytesOf(path)), parser, () => undefined); // errors surface through the iterator below
  let header: string[] | null = null;
  let row = 0;
  try {
    for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
      if (header === null) {
        header = checkHeader(parsed.record, parsed.line);
        onColumns?.([...header]);
      } else if (parsed.row > 0) {
        row = parsed.row;
        const raw: RawRow = { row, line: parsed.line, fields: toFields(header, parsed.record, row, parsed.line) };
        yield row === 1 ? attachHeader(raw, [...header]) : raw;
      }
    }
  } catch (error) {
    throw csvError(error, lines, seenHeader ? lines.rows + 1 : null);
  } finally {
    parser.destroy();
  }
  if (header === null) throw noRowsError('the file is empty');
  if (row === 0) throw noRowsError('the CSV has a header but no data rows');
}

async function* bytesOf(path: string): AsyncGenerator<Buffer> {
  for await (const block of readBlocks(path)) yield block.bytes;
}

function checkHeader(names: string[], line: number): string[] {
  const [only] = names;
  const separator = names.length === 1 && only !== undefined ? /[;\t|]/.exec(only)?.[0] : undefined;
  if (separator !== undefined) {
    const name = { ';': 'semicolon', '\t': 'tab', '|': 'pipe' }[separator] ?? separator;
    throw new ManifestParseError(
      'CSV_NOT_COMMA_SEPARATED',
      `line ${line}: the header is one column, '${only}', which looks ${name}-separated; a CSV manifest is ` +
        `comma-separated: export it again with commas (or as .json or .jsonl)`,
      { line },
    );
  }
  const seen = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    if (name.trim() === '') {
      throw new ManifestParseError(
        'CSV_EMPTY_HEADER',
        `line ${line}: column ${i + 1} of the header row has no name; name every column or delete the empty one`,
        { line },
      );
    }
    const before = seen.get(name);
    if (before !== undefined) {
      throw new ManifestParseError(
        'CSV_DUPLICATE_HEADER',
        `line ${line}: the header names column '${name}' twice (columns ${before} and ${i + 1}); rename one of them`,
        { line, column: name },
      );
    }
    seen.set(name, i + 1);
  }
  return names;
}

function toFields(header: string[], record: string[], row: number, line: number): Record<string, unknown> {
  if (record.length !== header.length) {
    throw new ManifestParseError(
      'CSV_RAGGED_ROW',
      `${rowPlace(row, line)} has ${plural(record.length, 'cell')} but the header has ${plural(header.length, 'column')}; give every ` +
        `row exactly ${plural(header.length, 'cell')} and wrap cells that contain commas in double quotes`,
      { row, line },
    );
  }
  const fields: Record<string, unknown> = {};
  for (const [i, cell] of record.entries()) if (cell !== '') setField(fields, header[i] ?? '', cell);
  return fields;
}

const QUOTE_FIX = 'wrap the cell in double quotes and write each quote inside it as two ("")';

/** Maps csv-parse's errors to ManifestParseError with the line and a fix; the parser's own lines are a fallback. */
function csvError(error: unknown, lines: LineTracker, row: number | null): unknown {
  if (!(error instanceof CsvError)) return error;
  const err = error as CsvError & { lines?: number };
  const at = typeof err.lines === 'number' ? lines.physical(err.lines) : lines.next;
  const where = { row, line: at, cause: error };
  const prefix = row === null ? `line ${at}` : rowPlace(row, at);
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
    case 'CSV_MAX_RECORD_SIZE': {
      const message =
        `a quoted cell that opens on or after line ${lines.next} is never closed (or that row is over 16 MB); ` +
        `add the missing closing " or ${QUOTE_FIX}`;
      return new ManifestParseError('CSV_UNCLOSED_QUOTE', message, { ...where, line: lines.next });
    }
    case 'INVALID_OPENING_QUOTE': {
      const message = `${prefix}: a " appears inside a cell that is not quoted; ${QUOTE_FIX}`;
      return new ManifestParseError('CSV_STRAY_QUOTE', message, where);
    }
    case 'CSV_INVALID_CLOSING_QUOTE': {
      // A quote left open earlier makes the parser read on to the next quote: the row then "starts" lines before.
      const start = lines.next;
      const span =
        at - start > 1
          ? ` (a cell quoted from line ${start} to line ${at}: if it was not meant to span those lines, a quote on ` +
            `line ${start} is never closed)`
          : '';
      const message = `${prefix}: text follows the closing quote of a cell${span}; ${QUOTE_FIX}`;
      return new ManifestParseError('CSV_STRAY_QUOTE', message, { ...where, ...(span ? { line: start } : {}) });
    }
    default: {
      const reason = err.message;
      const message = `${prefix}: the CSV cannot be parsed (${reason}); check that the file is comma-separated`;
      return new ManifestParseError('CSV_INVALID', message, where);
    }
  }
}
