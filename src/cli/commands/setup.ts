import { SEARCH_ATTRIBUTES } from '../../shared/constants.js';
import { ensureSearchAttributes } from '../../temporal/search-attributes.js';
import { EXIT } from '../errors.js';
import { openSession } from '../session.js';

/**
 * `durabatch setup`: registers durabatch's search attributes (Keyword) on the namespace when they are missing, so
 * the Web UI can list a batch's rows by state. Safe to run again; the embedded dev server registers them itself.
 */
export async function setupCommand(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const session = await openSession({ worker: false, log: (l) => process.stderr.write(`${l}\n`), env });
  try {
    const added = await ensureSearchAttributes(session.client.connection, session.settings.namespace);
    const where = `${session.settings.address}, namespace ${session.settings.namespace}`;
    process.stdout.write(
      added.length > 0
        ? `registered ${added.join(', ')} on ${where}\n`
        : `${SEARCH_ATTRIBUTES.join(', ')} already registered on ${where}\n`,
    );
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
