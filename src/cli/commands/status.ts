import { WorkflowNotFoundError } from '@temporalio/client';
import { FINAL_ITEM_STATUSES, failureCount, totalDone } from '../../shared/status.js';
import type { BatchWorkflowOutput } from '../../shared/batch-contract.js';
import type { BatchMemo } from '../../shared/batch-memo.js';
import { EXIT, usageError } from '../errors.js';
import { countWaitingForInput, formatEta, snapshotBatch, type BatchSnapshot } from '../progress.js';
import { openSession, type Session } from '../session.js';

/** `durabatch status <batchId>`: counts by state, and for a finished batch where its results are. */
export async function statusCommand(
  batchId: string,
  opts: { json?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const session = await openSession({ worker: true, log: (l) => process.stderr.write(`${l}\n`), env });
  try {
    const info = await describeBatch(session, batchId);
    const snap = await snapshotBatch(session.client, batchId).catch((): BatchSnapshot | null => null);
    const waitingForInput = info.status === 'RUNNING' ? await countWaitingForInput(session.client, batchId) : 0;
    const rows = snap?.rowCount ?? info.rows;
    const done = snap ? totalDone(snap.counts) : null;
    const pace = paceOf(done, rows, info);
    const status = {
      batchId,
      workflowStatus: info.status,
      stage: snap?.stage ?? null,
      rows,
      done,
      failed: snap ? failureCount(snap.counts) : null,
      inFlight: snap?.inFlight ?? null,
      waitingForInput,
      counts: snap?.counts ?? null,
      paused: snap?.control?.paused ?? false,
      concurrency: snap?.control?.concurrency ?? null,
      rowsPerSecond: pace.rowsPerSecond,
      etaSeconds: pace.etaSeconds,
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
      if (info.status === 'RUNNING') {
        const flow = status.paused ? 'PAUSED (rows in flight finish, none start)' : `concurrency ${status.concurrency}`;
        const rate = status.rowsPerSecond === null ? '--' : status.rowsPerSecond.toFixed(2);
        out.write(`  ${flow} · ${rate} rows/s · ETA ${formatEta(status.etaSeconds)}\n`);
      }
      if (waitingForInput) out.write(`  waiting for input: ${waitingForInput}\n`);
      for (const s of FINAL_ITEM_STATUSES) if (snap.counts[s] > 0) out.write(`  ${s}: ${snap.counts[s]}\n`);
    }
    if (info.result) out.write(`  results: ${info.result.resultsPath}\n`);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

/** Average rows per second since the batch started, and the time left at that pace (null when unknown). */
function paceOf(
  done: number | null,
  rows: number | null,
  info: BatchInfo,
): { rowsPerSecond: number | null; etaSeconds: number | null } {
  const end = info.closeTime ?? new Date();
  const seconds = info.startTime ? (end.getTime() - info.startTime.getTime()) / 1000 : 0;
  if (done === null || done === 0 || seconds <= 0) return { rowsPerSecond: null, etaSeconds: null };
  const rate = done / seconds;
  const left = rows === null ? null : Math.max(0, rows - done);
  return { rowsPerSecond: Math.round(rate * 100) / 100, etaSeconds: left === null ? null : Math.round(left / rate) };
}

export interface BatchInfo {
  status: string;
  startTime: Date | null;
  closeTime: Date | null;
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
  const memo = (description.memo ?? {}) as Partial<BatchMemo>;
  const result = description.status.name === 'COMPLETED' ? ((await handle.result()) as BatchWorkflowOutput) : null;
  return {
    status: description.status.name,
    startTime: description.startTime ?? null,
    closeTime: description.closeTime ?? null,
    rows: memo.rows ?? null,
    storage: memo.storage ?? null,
    result,
  };
}
