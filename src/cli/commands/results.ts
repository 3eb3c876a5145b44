import { copyFile, readFile } from 'node:fs/promises';
import { EXIT, usageError } from '../errors.js';
import { openSession } from '../session.js';
import { describeBatch } from './status.js';

/** `durabatch results <batchId>`: prints (or copies to --out) the results file of a finished batch. */
export async function resultsCommand(
  batchId: string,
  opts: { format: 'jsonl' | 'csv'; out?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const session = await openSession({ worker: false, log: (l) => process.stderr.write(`${l}\n`), env });
  try {
    const info = await describeBatch(session, batchId);
    if (!info.result) {
      throw usageError(
        `batch '${batchId}' is ${info.status}: results exist once it completes (see durabatch status ${batchId})`,
      );
    }
    const file = opts.format === 'csv' ? info.result.csvPath : info.result.resultsPath;
    if (opts.out) {
      await copyFile(file, opts.out);
      process.stderr.write(`wrote ${opts.out}\n`);
    } else {
      process.stdout.write(await readFile(file));
    }
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
