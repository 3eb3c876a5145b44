import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { ManifestParseError } from './errors.js';

/** A run of bytes of the file, checked to be valid UTF-8, with the position of its first byte. */
export interface Block {
  bytes: Buffer;
  /** 1-based line of the first byte. */
  line: number;
  /** 1-based byte column of the first byte within its line (1 unless a very long line was cut). */
  column: number;
}

const READ_CHUNK_BYTES = 64 * 1024;
/** A line longer than this is handed on in pieces, so that memory stays bounded even for one-line files. */
const MAX_CARRY_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Streams a file as blocks that end at a line break (or, for a line longer than 1 MB, at a character boundary),
 * strips a leading UTF-8 BOM, and checks every block with `isUtf8`. Cutting at line breaks keeps each block
 * self-contained, so a bad byte is reported with its line. Memory is bounded by the read size plus one long line.
 */
export async function* readBlocks(path: string): AsyncGenerator<Block> {
  const position = { line: 1, column: 1 };
  let carry: Buffer | null = null;
  let first = true;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES })) {
      let buf: Buffer = carry ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      if (first && buf.length >= BOM.length) {
        first = false;
        if (buf.subarray(0, BOM.length).equals(BOM)) buf = buf.subarray(BOM.length);
      }
      const cut = cutPoint(buf);
      carry = cut < buf.length ? buf.subarray(cut) : null;
      if (cut > 0) yield checked(buf.subarray(0, cut), position);
    }
  } catch (error) {
    if (error instanceof ManifestParseError) throw error;
    throw new ManifestParseError('MANIFEST_UNREADABLE', `cannot read the manifest file ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
  if (carry) {
    if (first && carry.equals(BOM)) return;
    yield checked(carry, position);
  }
}

/** End of the last complete line in `buf`, or a character boundary when the pending line grew too long. */
function cutPoint(buf: Buffer): number {
  const lastNewline = buf.lastIndexOf(NEWLINE);
  if (lastNewline >= 0) return lastNewline + 1;
  if (buf.length < MAX_CARRY_BYTES) return 0;
  // Back up over UTF-8 continuation bytes (10xxxxxx) so the cut never splits a character.
  let cut = buf.length;
  for (let i = 0; i < 4 && cut > 0; i++) {
    const byte = buf[cut - 1] ?? 0;
    cut--;
    if ((byte & 0xc0) !== 0x80) break;
  }
  return cut > 0 ? cut : buf.length;
}

function checked(bytes: Buffer, position: { line: number; column: number }): Block {
  const block: Block = { bytes, line: position.line, column: position.column };
  if (!isUtf8(bytes)) throw invalidUtf8(block);
  let newlines = 0;
  let last = -1;
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) {
    newlines++;
    last = i;
  }
  position.line += newlines;
  position.column = last >= 0 ? bytes.length - last : position.column + bytes.length;
  return block;
}

function invalidUtf8(block: Block): ManifestParseError {
  const [first, second] = block.bytes;
  const utf16 =
    block.line === 1 &&
    block.column === 1 &&
    ((first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff));
  if (utf16) {
    return new ManifestParseError(
      'MANIFEST_INVALID_UTF8',
      `the file is UTF-16 (it starts with a UTF-16 byte-order mark); save the manifest as UTF-8 ` +
        `(in Excel: Save As → "CSV UTF-8") and try again`,
      { line: 1 },
    );
  }
  let line = block.line;
  let start = 0;
  while (start < block.bytes.length) {
    const end = block.bytes.indexOf(NEWLINE, start);
    const stop = end < 0 ? block.bytes.length : end;
    if (!isUtf8(block.bytes.subarray(start, stop))) break;
    line++;
    start = stop + 1;
  }
  return new ManifestParseError(
    'MANIFEST_INVALID_UTF8',
    `line ${line} is not valid UTF-8 (the file may be Latin-1 or Windows-1252); save the manifest as UTF-8 ` +
      `(in Excel: Save As → "CSV UTF-8") and try again`,
    { line },
  );
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
