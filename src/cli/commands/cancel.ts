import { WorkflowNotFoundError } from '@temporalio/client';
import { stopSignal } from '../../shared/messages.js';
import { EXIT, usageError } from '../errors.js';
import { openSession } from '../session.js';

/**
 * `durabatch cancel <batchId>`: stops a running batch. No new rows start; rows in flight are cancelled, with their
 * provider runs where the provider can cancel; the results list every row, the ones that never ran as `skipped`.
 */
export async function cancelCommand(batchId: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const session = await openSession({ worker: false, log: (l) => process.stderr.write(`${l}\n`), env });
  try {
    await session.client.workflow.getHandle(batchId).signal(stopSignal, { reason: 'cancelled with durabatch cancel' });
    process.stdout.write(`cancelling batch ${batchId}: no new rows start, rows in flight are being cancelled\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw usageError(`no running batch '${batchId}' on ${session.settings.address}`);
    throw err;
  } finally {
    await session.close();
  }
}
