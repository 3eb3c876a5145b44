import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  OUTPUTS_DIR,
  RESULTS_CSV_FILE,
  RESULTS_JSONL_FILE,
  SUMMARY_FILE,
  type BatchStorage,
} from '../storage/index.js';
import { usageError } from './errors.js';

/**
 * Copies a finished batch's results files and every output from its storage into the local folder `dir`, keeping
 * the relative paths the results name. Returns how many files it wrote.
 */
export async function fetchAll(storage: BatchStorage, dir: string): Promise<number> {
  const keys = [RESULTS_JSONL_FILE, RESULTS_CSV_FILE, SUMMARY_FILE];
  for (const row of await storage.list(OUTPUTS_DIR)) {
    for (const name of await storage.list(`${OUTPUTS_DIR}/${row}`)) keys.push(`${OUTPUTS_DIR}/${row}/${name}`);
  }
  for (const key of keys) {
    const from = await storage.openRead(key);
    if (!from) throw usageError(`${storage.urlOf(key)} is missing: the batch's storage was changed or removed`);
    const target = join(dir, key);
    await mkdir(dirname(target), { recursive: true });
    await pipeline(from, createWriteStream(target));
  }
  return keys.length;
}
