import { pipeline, type Writable } from 'node:stream';
import Parser from 'stream-json/Parser.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { readBlocks, type Block } from './blocks.js';
import { ManifestParseError, noRowsError } from './errors.js';
import { flatFields } from './fields.js';
import type { RawRow } from './types.js';

/** Long lines (minified JSON) are fed to the parser in pieces of this size; errors point into the piece. */
const MAX_PIECE_BYTES = 16 * 1024;

interface FeedState {
  /** Start of the piece the parser is working on: the place an error message points to. */
  line: number;
  column: number;
  /** True once the whole file was fed: a parser error now means the JSON ended too early. */
  ending: boolean;
}

/**
 * Reads a JSON manifest: one top-level array of flat objects, streamed element by element with stream-json's
 * StreamArray, so memory stays bounded whatever the file size. The file is fed to the parser one line (or 16 KB
 * piece) at a time and each write is awaited, so a syntax error is reported with the line it sits on.
 */
export async function* readJsonRows(path: string): AsyncGenerator<RawRow> {
  const parser = new Parser({ streamValues: false });
  const elements = new StreamArray();
  pipeline(parser, elements, () => undefined); // errors surface through the iterator below
  const state: FeedState = { line: 1, column: 1, ending: false };
  void feed(path, parser, state);
  let row = 0;
  try {
    for await (const element of elements as AsyncIterable<{ key: number; value: unknown }>) {
      row = element.key + 1;
      yield { row, line: null, fields: flatFields(element.value, row, null) };
    }
  } catch (error) {
    throw jsonError(error, state);
  } finally {
    parser.destroy();
    elements.destroy();
  }
  if (row === 0) throw noRowsError('the JSON array is empty');
}

/** Pushes the file into the parser piece by piece; any failure destroys the parser, which ends the reading side. */
async function feed(path: string, parser: Writable, state: FeedState): Promise<void> {
  let seenStart = false;
  try {
    for await (const block of readBlocks(path)) {
      for (const piece of pieces(block)) {
        if (!seenStart) seenStart = checkStart(piece);
        state.line = piece.line;
        state.column = piece.column;
        if (!(await write(parser, piece.bytes))) return;
      }
    }
    if (!seenStart) throw noRowsError('the file is empty');
    state.ending = true;
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
    if (end - start > MAX_PIECE_BYTES) end = start + MAX_PIECE_BYTES; // Utf8Stream rejoins split characters
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
  const what = text.startsWith('{') ? 'an object' : 'not an array';
  throw new ManifestParseError(
    'JSON_NOT_ARRAY',
    `line ${piece.line}: the top-level JSON value is ${what}; a .json manifest must be an array of row objects ` +
      `([{…}, {…}]) — for one object per line, name the file .jsonl or pass --format jsonl`,
    { line: piece.line },
  );
}

function jsonError(error: unknown, state: FeedState): unknown {
  if (error instanceof ManifestParseError) return error;
  const where = state.column > 1 ? `line ${state.line} (after column ${state.column})` : `line ${state.line}`;
  if (state.ending) {
    return new ManifestParseError(
      'JSON_TRUNCATED',
      `the JSON ends too early at ${where} — the file looks truncated or an array/object is not closed; ` +
        `re-export the manifest or close the brackets`,
      { line: state.line, cause: error },
    );
  }
  const reason = (error instanceof Error ? error.message : String(error)).replace(/^Parser cannot parse input: /, '');
  return new ManifestParseError('JSON_INVALID', `invalid JSON at ${where}: ${reason}; fix the syntax there`, {
    line: state.line,
    cause: error,
  });
}
