import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openStorage, RESULTS_CSV_FILE, RESULTS_JSONL_FILE } from '../../storage/index.js';
import { fetchAll } from '../fetch-results.js';
import { storageProblem } from '../storage-root.js';
import { EXIT, usageError } from '../errors.js';
import { openSession } from '../session.js';
import { describeBatch } from './status.js';

export interface ResultsOptions {
  format: 'jsonl' | 'csv';
  out?: string | undefined;
  outputs?: boolean | undefined;
}

/**
 * `durabatch results <batchId>`: prints (or writes to --out) the results file of a finished batch, read from the
 * batch's storage (a local folder, or S3 from any machine with the storage credentials). With --outputs, --out is a
 * folder that gets results.jsonl, results.csv, summary.json and every output file, at the paths the results name.
 */
export async function resultsCommand(
  batchId: string,
  opts: ResultsOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (opts.outputs && !opts.out) throw usageError('--outputs needs --out DIR: the folder to put the files in');
  const session = await openSession({ worker: false, log: (l) => process.stderr.write(`${l}\n`), env });
  try {
    const info = await describeBatch(session, batchId);
    if (!info.result) {
      throw usageError(
        `batch '${batchId}' is ${info.status}: results exist once it completes (see durabatch status ${batchId})`,
      );
    }
    if (opts.outputs && opts.out) {
      const { storage } = info;
      if (storage === null) throw usageError(`batch '${batchId}' names no storage to fetch its outputs from`);
      const files = await fetchAll(openStorage(storage), opts.out).catch((err: unknown) => {
        throw storageProblem(err, `fetch the files of batch ${batchId}`, storage);
      });
      process.stderr.write(`wrote ${files} files into ${opts.out}\n`);
      return EXIT.ok;
    }
    const key = opts.format === 'csv' ? RESULTS_CSV_FILE : RESULTS_JSONL_FILE;
    const fallback = opts.format === 'csv' ? info.result.csvPath : info.result.resultsPath;
    const from = await resultsStream(info.storage, key, fallback).catch((err: unknown) => {
      throw storageProblem(err, `read the results of batch ${batchId}`, info.storage ?? '');
    });
    if (opts.out) {
      await pipeline(from, createWriteStream(opts.out));
      process.stderr.write(`wrote ${opts.out}\n`);
    } else {
      await pipeline(from, process.stdout, { end: false });
    }
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

/** The results file from the batch's storage; a batch whose memo names none is read at the path its result gives. */
async function resultsStream(storage: string | null, key: string, fallbackPath: string): Promise<Readable> {
  if (storage === null) return createReadStream(fallbackPath);
  const stream = await openStorage(storage).openRead(key);
  if (!stream) {
    throw usageError(`${openStorage(storage).urlOf(key)} is missing: the batch's storage was changed or removed`);
  }
  return stream;
}
