import { WorkflowNotFoundError } from '@temporalio/client';
import { FINAL_ITEM_STATUSES, failureCount, totalDone } from '../../shared/status.js';
import type { BatchWorkflowOutput } from '../../shared/types.js';
import { EXIT, usageError } from '../errors.js';
import { countWaitingForInput, snapshotBatch, type BatchSnapshot } from '../progress.js';
import { openSession, type Session } from '../session.js';

/** `durabatch status <batchId>`: counts by state, and for a finished batch where its results are. */
export async function statusCommand(
  batchId: string,
  opts: { json?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const session = await openSession({ worker: true, log: (l) => process.stderr.write(`${l}\n`), env });
  try {
    const info = await describeBatch(session, batchId);
    const snap = await snapshotBatch(session.client, batchId).catch((): BatchSnapshot | null => null);
    const waitingForInput = info.status === 'RUNNING' ? await countWaitingForInput(session.client, batchId) : 0;
    const status = {
      batchId,
      workflowStatus: info.status,
      stage: snap?.stage ?? null,
      rows: snap?.rowCount ?? info.rows,
      done: snap ? totalDone(snap.counts) : null,
      failed: snap ? failureCount(snap.counts) : null,
      inFlight: snap?.inFlight ?? null,
      waitingForInput,
      counts: snap?.counts ?? null,
      storage: info.storage,
      result: info.result,
    };
    if (opts.json) {
      process.stdout.write(JSON.stringify(status, null, 2) + '\n');
      return EXIT.ok;
    }
    const out = process.stdout;
    out.write(`Batch ${batchId}: ${info.status}${snap ? ` (${snap.stage})` : ''}\n`);
    if (snap) {
      out.write(`  ${status.done}/${status.rows ?? '?'} done, ${status.inFlight} in flight\n`);
      if (waitingForInput) out.write(`  waiting for input: ${waitingForInput}\n`);
      for (const s of FINAL_ITEM_STATUSES) if (snap.counts[s] > 0) out.write(`  ${s}: ${snap.counts[s]}\n`);
    }
    if (info.result) out.write(`  results: ${info.result.resultsPath}\n`);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

export interface BatchInfo {
  status: string;
  rows: number | null;
  storage: string | null;
  result: BatchWorkflowOutput | null;
}

/** The batch's workflow status, memo and (when completed) result. */
export async function describeBatch(session: Session, batchId: string): Promise<BatchInfo> {
  const handle = session.client.workflow.getHandle(batchId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw usageError(`no batch '${batchId}' on ${session.settings.address}`);
    throw err;
  }
  const memo = (description.memo ?? {}) as { rows?: number; storage?: string };
  const result = description.status.name === 'COMPLETED' ? ((await handle.result()) as BatchWorkflowOutput) : null;
  return { status: description.status.name, rows: memo.rows ?? null, storage: memo.storage ?? null, result };
}
