import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { ManifestParseError } from './errors.js';
import { readRows, type ReadRowsOptions } from './read.js';
import type { RawRow } from './types.js';

/** Test-only helpers for the manifest unit tests (not exported from the package). */

/** Absolute path of a fixture under test/fixtures/manifests. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/manifests/${name}`, import.meta.url));
}

/** A temp directory removed after the test file; `path` names a file in it, `write` also writes it. */
export function tempFiles(): {
  dir: string;
  path: (name: string) => string;
  write: (name: string, data: string | Buffer) => string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'durabatch-manifest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    path: (name) => join(dir, name),
    write: (name, data) => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    },
  };
}

/** Reads every row of a manifest into an array. */
export async function readAll(path: string, options: ReadRowsOptions = {}): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of readRows(path, options)) rows.push(row);
  return rows;
}

/** Reads a manifest that must fail and returns the ManifestParseError. */
export async function readError(path: string, options: ReadRowsOptions = {}): Promise<ManifestParseError> {
  try {
    await readAll(path, options);
  } catch (error) {
    if (error instanceof ManifestParseError) return error;
    throw error;
  }
  throw new Error(`expected reading ${path} to fail`);
}
