import { createHash } from 'node:crypto';

/** Encoded ids longer than this are shortened. */
export const MAX_ROW_ID_LENGTH = 80;
const KEPT_PREFIX_LENGTH = 64;
const HASH_HEX_LENGTH = 12;
const SAFE_KEY = /^[A-Za-z0-9_.-]+$/;
/** Windows device names, reserved as file names with any extension ("con.json" included), in any letter case. */
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * Turns a row key (the `--key-column` value, else the row number) into an id that is safe as a file name
 * (`items/<id>.json`, `outputs/<id>/…`) and inside a Temporal workflow id (`<batchId>/<id>`).
 *
 * Rule: every UTF-8 byte outside `[A-Za-z0-9_.-]` becomes `%XX` (upper-case hex), `%` itself included; a leading
 * or trailing `.` becomes `%2E` (no hidden files, no `.`/`..`, no name Windows would trim); the first letter of a
 * Windows device name (`CON`, `nul.txt`, `COM1`…) becomes `%XX` too; if the result is longer than 80 characters it
 * is cut to its first 64 (never inside a `%XX`) followed by `~` and the first 12 hex digits of the SHA-256 of the key.
 *
 * The mapping is injective for well-formed strings: `%` only starts escapes (an escaped letter or dot decodes to
 * itself, and a literal `%` is always `%25`), and `~` only appears in shortened ids, which differ by their hash
 * (48 bits). Lone UTF-16 surrogates all encode like U+FFFD. Keys that differ only in letter case ("SKU-1",
 * "sku-1") give ids that collide on case-insensitive file systems (macOS, Windows defaults): the normalizer
 * refuses them (see RowKeyRegistry). Throws a RangeError for an empty key (keys are validated non-empty first).
 */
export function encodeRowKey(key: string): string {
  if (key === '') throw new RangeError('a row key must not be empty');
  let id = SAFE_KEY.test(key) ? key : escapeBytes(key);
  if (id.startsWith('.')) id = `%2E${id.slice(1)}`;
  if (id.endsWith('.')) id = `${id.slice(0, -1)}%2E`;
  if (RESERVED_NAME.test(id)) id = `${escapeChar(id.charCodeAt(0))}${id.slice(1)}`;
  if (id.length <= MAX_ROW_ID_LENGTH) return id;
  let cut = KEPT_PREFIX_LENGTH;
  const lastEscape = id.lastIndexOf('%', cut - 1);
  if (lastEscape >= 0 && lastEscape + 3 > cut) cut = lastEscape;
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, HASH_HEX_LENGTH);
  return `${id.slice(0, cut)}~${hash}`;
}

function escapeBytes(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE_KEY.test(char) ? char : escapeChar(byte);
  }
  return out;
}

function escapeChar(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}
