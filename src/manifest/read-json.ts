import { pipeline, Transform, type Writable } from 'node:stream';
import Parser from 'stream-json/Parser.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { readBlocks, type Block } from './blocks.js';
import { ManifestParseError, noRowsError } from './errors.js';
import { duplicatePropertyError, jsonRow } from './fields.js';
import type { RawRow } from './types.js';

/**
 * The parser gets at most this many bytes per write. A syntax error then lies between the point where the parser
 * resumed (at most ~16 chars of look-ahead earlier) and the end of the piece, so the excerpt in the message holds it.
 */
const MAX_PIECE_BYTES = 128;
/** How many of the latest pieces are kept to locate a syntax error. */
const RECENT_PIECES = 4;

interface FeedState {
  /** The latest pieces written to the parser, oldest first (references into the read buffers, not copies). */
  recent: Block[];
  /** True once the whole file was handed to the parser: an error after that is the file ending too early. */
  ended: boolean;
}

/**
 * Reads a JSON manifest: one top-level array of flat objects, streamed element by element with stream-json's
 * StreamArray, so memory stays bounded whatever the file size. The file is fed to the parser one line (at most 128
 * bytes) at a time and each write is awaited, so a syntax error is reported with its line and the text around it.
 * stream-json is the slow part: about 5–8 MB/s, so a 200 MB array takes tens of seconds (JSONL and CSV are faster).
 */
export async function* readJsonRows(path: string): AsyncGenerator<RawRow> {
  const parser = new Parser({ streamValues: false });
  const elements = new StreamArray();
  pipeline(parser, duplicateKeyCheck(), elements, () => undefined); // errors surface through the iterator below
  const state: FeedState = { recent: [], ended: false };
  void feed(path, parser, state);
  let row = 0;
  try {
    for await (const element of elements as AsyncIterable<{ key: number; value: unknown }>) {
      row = element.key + 1;
      yield jsonRow(element.value, row, null);
    }
  } catch (error) {
    throw jsonError(error, state, parser);
  } finally {
    parser.destroy();
    elements.destroy();
  }
  if (row === 0) throw noRowsError('the JSON array is empty');
}

/**
 * Passes the parser's tokens on unchanged, failing on a row object that names a property twice (the assembler would
 * keep the last value and drop the others without a word). Rows are the values directly inside the top-level array.
 */
function duplicateKeyCheck(): Transform {
  let depth = 0;
  let row = 0;
  let keys: Set<string> | null = null;
  return new Transform({
    objectMode: true,
    transform(token: { name: string; value?: unknown }, _encoding, callback) {
      const opens = token.name === 'startObject' || token.name === 'startArray';
      const isValue = opens || token.name.endsWith('Value');
      if (depth === 1 && isValue && token.name !== 'keyValue') row++;
      if (opens) {
        depth++;
        if (depth === 2) keys = token.name === 'startObject' ? new Set() : null;
      } else if (token.name === 'endObject' || token.name === 'endArray') {
        depth--;
      } else if (token.name === 'keyValue' && depth === 2 && keys !== null) {
        const key = String(token.value);
        if (keys.has(key)) return callback(duplicatePropertyError(key, row, null));
        keys.add(key);
      }
      callback(null, token);
    },
  });
}

/** Pushes the file into the parser piece by piece; any failure destroys the parser, which ends the reading side. */
async function feed(path: string, parser: Writable, state: FeedState): Promise<void> {
  let seenStart = false;
  try {
    for await (const block of readBlocks(path)) {
      for (const piece of pieces(block)) {
        if (!seenStart) seenStart = checkStart(piece);
        state.recent.push(piece);
        if (state.recent.length > RECENT_PIECES) state.recent.shift();
        if (!(await write(parser, piece.bytes))) return;
      }
    }
    if (!seenStart) throw noRowsError('the file is empty');
    state.ended = true;
    parser.end();
  } catch (error) {
    parser.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Writes one piece and waits until the parser has consumed it; false when the parser failed or was closed. */
function write(stream: Writable, bytes: Buffer): Promise<boolean> {
  if (stream.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = (): void => resolve(false);
    stream.once('close', onClose);
    stream.write(bytes, (error) => {
      stream.off('close', onClose);
      resolve(!error);
    });
  });
}

function* pieces(block: Block): Generator<Block> {
  const { bytes } = block;
  let line = block.line;
  let column = block.column;
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    let end = newline >= 0 ? newline + 1 : bytes.length;
    if (end - start > MAX_PIECE_BYTES) end = start + MAX_PIECE_BYTES; // the parser's decoder rejoins split chars
    yield { bytes: bytes.subarray(start, end), line, column };
    if (bytes[end - 1] === 0x0a) {
      line++;
      column = 1;
    } else {
      column += end - start;
    }
    start = end;
  }
}

/** Throws unless the first non-blank character of the file opens an array; true once that character was seen. */
function checkStart(piece: Block): boolean {
  const text = piece.bytes.toString('utf8').trimStart();
  if (text === '') return false;
  if (text.startsWith('[')) return true;
  if (text.startsWith('{')) {
    throw new ManifestParseError(
      'JSON_NOT_ARRAY',
      `line ${piece.line}: the top-level JSON value is an object; a .json manifest must be an array of row objects ` +
        `([{…}, {…}]) — for one object per line, name the file .jsonl or pass --format jsonl`,
      { line: piece.line },
    );
  }
  const start = text.split(/\r?\n/, 1)[0]?.slice(0, 40) ?? '';
  const csv = /^[^,]*,/.test(start) ? ' — if it is a CSV, name the file .csv or pass --format csv' : '';
  throw new ManifestParseError(
    'JSON_NOT_ARRAY',
    `line ${piece.line}: the file starts with '${start}', not a JSON array; a .json manifest must be an array of ` +
      `row objects ([{…}, {…}])${csv}`,
    { line: piece.line },
  );
}

/**
 * stream-json's errors carry no position. The parser keeps the text it has not consumed yet in `_buffer` (an
 * internal field, read defensively); it starts where parsing resumed before failing, which sits in the latest
 * pieces. That gives the line and a short excerpt; without it, the line of the latest piece.
 */
function locate(state: FeedState, parser: object): { line: number; excerpt: string } {
  const first = state.recent[0];
  if (first === undefined) return { line: 1, excerpt: '' };
  const text = Buffer.concat(state.recent.map((p) => p.bytes)).toString('utf8');
  const pending = (parser as { _buffer?: unknown })._buffer;
  if (typeof pending !== 'string' || pending.length > text.length) {
    return { line: state.recent[state.recent.length - 1]?.line ?? first.line, excerpt: '' };
  }
  const offset = text.length - pending.trimStart().length;
  let line = first.line;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return { line, excerpt: pending.trim().slice(0, 160) };
}

function jsonError(error: unknown, state: FeedState, parser: object): unknown {
  if (error instanceof ManifestParseError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const { line, excerpt } = locate(state, parser);
  if (/^Parser has expected/.test(reason) || (state.ended && excerpt === '')) {
    return new ManifestParseError(
      'JSON_TRUNCATED',
      `the JSON ends too early at line ${line} — the file looks truncated or an array/object is not closed; ` +
        `re-export the manifest or close the brackets`,
      { line, cause: error },
    );
  }
  const near = excerpt === '' ? '' : ` near ${JSON.stringify(excerpt)}`;
  const what = reason.replace(/^Parser cannot parse input: /, '');
  if (what === 'escaped characters') {
    const message =
      `invalid JSON at line ${line}${near}: a string runs on past the end of a line (a closing quote is missing ` +
      `here or on the line before) or holds a raw control character; close the string, and write line breaks ` +
      `and tabs inside strings as \\n and \\t`;
    return new ManifestParseError('JSON_INVALID', message, { line, cause: error });
  }
  return new ManifestParseError('JSON_INVALID', `invalid JSON at line ${line}${near}: ${what}; fix the syntax there`, {
    line,
    cause: error,
  });
}
