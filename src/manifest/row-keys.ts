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
 * (macOS and Windows defaults). Memory: one map entry per row, plus one per id that holds an upper-case letter.
 */
export class RowKeyRegistry {
  /** id → first row that used it. Safe keys are their own ids, so this holds the strings the rows already had. */
  private readonly ids = new Map<string, number>();
  /** lower-cased id → first row, only for ids with an upper-case letter (the only ones that can differ by case). */
  private readonly folded = new Map<string, number>();

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
    const first = this.ids.get(id);
    if (first !== undefined) {
      return {
        code: 'KEY_DUPLICATE',
        message: `key ${showValue(key)} is already used by row ${first}; keys in --key-column '${this.keyColumn}' must be unique`,
      };
    }
    const lower = id.toLowerCase();
    const other = lower === id ? this.folded.get(id) : (this.folded.get(lower) ?? this.ids.get(lower));
    if (other !== undefined) {
      return {
        code: 'KEY_CASE_CONFLICT',
        message:
          `key ${showValue(key)} differs from the key of row ${other} only in letter case; their files would ` +
          `overwrite each other on macOS and Windows — make keys in --key-column '${this.keyColumn}' differ in more than case`,
      };
    }
    this.ids.set(id, row);
    if (lower !== id) this.folded.set(lower, row);
    return { id };
  }
}
