import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { pauseUpdate, resumeUpdate, setConcurrencyUpdate } from '../../shared/messages.js';
import type { BatchControlState } from '../../shared/batch-contract.js';
import { EXIT, usageError } from '../errors.js';
import { openSession } from '../session.js';

type Change =
  { kind: 'pause'; reason?: string } | { kind: 'resume' } | { kind: 'set-concurrency'; concurrency: number };

/**
 * `durabatch pause|resume|set-concurrency <batchId>`: changes a running batch through a Temporal Update, which the
 * batch validates first (a finished or stopping batch, or a concurrency below its partition count, is refused
 * with the reason). Takes effect without restarting anything: paused, no new row starts and rows in flight finish.
 */
export async function controlCommand(
  batchId: string,
  change: Change,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const session = await openSession({ worker: false, log: (l) => process.stderr.write(`${l}\n`), env });
  try {
    const handle = session.client.workflow.getHandle(batchId);
    let state: BatchControlState;
    try {
      if (change.kind === 'pause') {
        state = await handle.executeUpdate(pauseUpdate, {
          args: [change.reason !== undefined ? { reason: change.reason } : {}],
        });
      } else if (change.kind === 'resume') {
        state = await handle.executeUpdate(resumeUpdate);
      } else {
        state = await handle.executeUpdate(setConcurrencyUpdate, { args: [change.concurrency] });
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        const closed = await handle.describe().catch(() => null);
        if (closed) {
          throw usageError(
            `batch ${batchId} has finished (${closed.status.name}): only a running batch can be paused, resumed or resized`,
          );
        }
        throw usageError(`no running batch '${batchId}' on ${session.settings.address}`);
      }
      if (err instanceof WorkflowUpdateFailedError) {
        throw usageError(`batch ${batchId} refused ${change.kind}: ${err.cause?.message ?? err.message}`);
      }
      throw err;
    }
    const windows = state.windows.length > 0 ? ` (partition windows ${state.windows.join(', ')})` : '';
    const flow = state.paused
      ? 'paused: rows in flight finish, no new row starts until `durabatch resume`'
      : `running at concurrency ${state.concurrency}${windows}`;
    process.stdout.write(`batch ${batchId}: ${flow}\n`);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
