import { readBlocks } from './blocks.js';
import { ManifestParseError, noRowsError } from './errors.js';
import { duplicatePropertyError, duplicateTopLevelKey, jsonRow } from './fields.js';
import type { RawRow } from './types.js';

/** One JSONL line never needs more than this; a longer "line" is almost surely a JSON array saved as .jsonl. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * Reads a JSONL (NDJSON) manifest: one JSON object per line, blank lines skipped. Each line is parsed on its own,
 * so memory is bounded by the longest line; errors name the line.
 */
export async function* readJsonlRows(path: string): AsyncGenerator<RawRow> {
  let row = 0;
  for await (const { text, line } of readLines(path)) {
    if (text.trim() === '') continue;
    row++;
    const value = parseLine(text, line, row);
    if (Array.isArray(value)) {
      throw new ManifestParseError(
        'JSON_NOT_OBJECT',
        `line ${line} is a JSON array; a JSONL manifest holds one row object per line — for a top-level array of ` +
          `rows use a .json file or --format json`,
        { row, line },
      );
    }
    const duplicate =
      typeof value === 'object' && value !== null ? duplicateTopLevelKey(text, Object.keys(value).length) : null;
    if (duplicate !== null) throw duplicatePropertyError(duplicate, row, line);
    yield jsonRow(value, row, line);
  }
  if (row === 0) throw noRowsError('the file has no JSON lines');
}

function parseLine(text: string, line: number, row: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = text.trimStart().startsWith('[')
      ? '; a JSONL manifest holds one object per line — for a top-level array use a .json file or --format json'
      : '; each line must be one complete JSON object';
    throw new ManifestParseError('JSON_INVALID', `line ${line} is not valid JSON (${reason})${hint}`, {
      row,
      line,
      cause: error,
    });
  }
}

/** Splits the file into lines (without the line break, `\r\n` or `\n`), carrying a partial line across blocks. */
async function* readLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  let carry = '';
  let carryLine = 1;
  for await (const block of readBlocks(path)) {
    const parts = block.bytes.toString('utf8').split('\n');
    const last = parts.pop() ?? '';
    let line = block.line; // equals the carried line's number when a line spans blocks
    for (const [i, part] of parts.entries()) {
      const text = i === 0 ? carry + part : part;
      yield { text: text.endsWith('\r') ? text.slice(0, -1) : text, line };
      line++;
    }
    if (parts.length > 0) carryLine = line;
    carry = parts.length > 0 ? last : carry + last;
    if (carry.length > MAX_LINE_CHARS) {
      throw new ManifestParseError(
        'MANIFEST_LINE_TOO_LONG',
        `line ${carryLine} is longer than ${MAX_LINE_CHARS / 1024 / 1024} M characters; a JSONL manifest holds one ` +
          `row object per line — for one big JSON array use a .json file or --format json`,
        { line: carryLine },
      );
    }
  }
  if (carry !== '') yield { text: carry.endsWith('\r') ? carry.slice(0, -1) : carry, line: carryLine };
}
