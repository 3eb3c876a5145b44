import { EXIT } from '../errors.js';
import { openSession } from '../session.js';

/**
 * `durabatch worker`: a long-running worker for a Temporal cluster (TEMPORAL_ADDRESS), or for the embedded dev
 * server when no address is set. Holds the provider credentials from its environment. On SIGINT/SIGTERM it
 * stops polling, lets the run-starts it has on the wire finish (at most 24 s, see attempt-budget.ts) and cancels its
 * other activities, which the next worker retries.
 */
export async function workerCommand(
  opts: { taskQueue?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const workerEnv = opts.taskQueue ? { ...env, DURABATCH_TASK_QUEUE: opts.taskQueue } : env;
  const session = await openSession({ worker: true, log, env: workerEnv, forceWorker: true });
  log(
    `durabatch worker on ${session.settings.address}, namespace ${session.settings.namespace}, task queue ${session.settings.taskQueue}`,
  );
  if (session.uiUrl) log(`Temporal Web UI: ${session.uiUrl}`);
  const stop = () => void session.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await session.workerDone;
  } finally {
    await session.close();
  }
  return EXIT.ok;
}
