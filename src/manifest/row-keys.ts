import { hash } from 'node:crypto';
import type { ManifestIssueCode } from './issues.js';
import { showValue } from './issues.js';
import { encodeRowKey } from './keys.js';

/**
 * Longest key accepted, in characters. Keys travel in workflow inputs, ids and summaries (rows do not), so they
 * stay short; anything longer is almost surely the wrong column.
 */
export const MAX_KEY_CHARS = 256;

/** A problem with one row's key, for the normalizer to record. */
export interface KeyProblem {
  code: ManifestIssueCode;
  message: string;
}

/**
 * Remembers every row key of a manifest to refuse duplicates: the same key twice, and keys whose ids differ only
 * in letter case (`SKU-1`, `sku-1`), whose files would overwrite each other on case-insensitive file systems
 * (macOS and Windows defaults). Keys are not kept as strings (hundreds of bytes each in V8 once in a Map) but as
 * hashes in one typed array, about 30 bytes per row: 2.3 million keys take ~85 MB instead of ~370 MB.
 */
export class RowKeyRegistry {
  private readonly table = new KeyTable();

  constructor(private readonly keyColumn: string) {}

  /** The row's id, or the problem that keeps the key from being used. */
  add(key: string, row: number): { id: string } | KeyProblem {
    if (key.length > MAX_KEY_CHARS) {
      return {
        code: 'KEY_TOO_LONG',
        message:
          `the key is ${key.length} characters long; keys in --key-column '${this.keyColumn}' may have at most ` +
          `${MAX_KEY_CHARS} — is it the right column?`,
      };
    }
    const id = encodeRowKey(key);
    const seen = this.table.add(id, row);
    if (seen === null) return { id };
    if (seen.same) {
      return {
        code: 'KEY_DUPLICATE',
        message: `key ${showValue(key)} is already used by row ${seen.row}; keys in --key-column '${this.keyColumn}' must be unique`,
      };
    }
    return {
      code: 'KEY_CASE_CONFLICT',
      message:
        `key ${showValue(key)} differs from the key of row ${seen.row} only in letter case; their files would ` +
        `overwrite each other on macOS and Windows — make keys in --key-column '${this.keyColumn}' differ in more than case`,
    };
  }
}

/** Words per slot: three of the SHA-1 of the lower-cased id, one FNV-1a of the id itself, the row (0: empty). */
const SLOT = 5;
const INITIAL_SLOTS = 1 << 12;
const MAX_LOAD = 0.7;

/**
 * An open-addressing hash set of ids keyed by their lower-cased form (96 bits of SHA-1: a false match needs ~10^14
 * keys), with linear probing. A match on the lower-cased form is the same id when the 32-bit hash of the exact id
 * matches too; otherwise the ids differ in letter case only.
 */
class KeyTable {
  private slots = new Uint32Array(INITIAL_SLOTS * SLOT);
  private capacity = INITIAL_SLOTS;
  private size = 0;

  /** Adds the id for `row`; returns null, or the earlier row whose id folds to the same text. */
  add(id: string, row: number): { row: number; same: boolean } | null {
    const folded = hash('sha1', id.toLowerCase(), 'buffer');
    const h0 = folded.readUInt32LE(0);
    const h1 = folded.readUInt32LE(4);
    const h2 = folded.readUInt32LE(8);
    const exact = fnv1a(id);
    let at = this.find(h0, h1, h2);
    const earlier = this.slots[at * SLOT + 4] ?? 0;
    if (earlier !== 0) return { row: earlier, same: this.slots[at * SLOT + 3] === exact };
    if ((this.size + 1) / this.capacity > MAX_LOAD) {
      this.grow();
      at = this.find(h0, h1, h2);
    }
    this.slots.set([h0, h1, h2, exact, row], at * SLOT);
    this.size++;
    return null;
  }

  /** The slot holding these hash words, or the empty slot where they belong. */
  private find(h0: number, h1: number, h2: number): number {
    const mask = this.capacity - 1;
    for (let at = h0 & mask; ; at = (at + 1) & mask) {
      const base = at * SLOT;
      if (this.slots[base + 4] === 0) return at;
      if (this.slots[base] === h0 && this.slots[base + 1] === h1 && this.slots[base + 2] === h2) return at;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Uint32Array(this.capacity * SLOT);
    for (let base = 0; base < old.length; base += SLOT) {
      if (old[base + 4] === 0) continue;
      const at = this.find(old[base] ?? 0, old[base + 1] ?? 0, old[base + 2] ?? 0);
      this.slots.set(old.subarray(base, base + SLOT), at * SLOT);
    }
  }
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
