import { ApplicationFailure } from '@temporalio/common';
import { isSubmitAmbiguous } from '../providers/ambiguity.js';
import { FAILURE_TYPES } from '../shared/failures.js';
import type { SubmitRunInput, SubmitRunOutput } from '../shared/types.js';
import { openStorage, readRow, submitFile, type BatchStorage } from '../storage/index.js';
import { liteSnapshot, type ActivityDeps } from './deps.js';
import { redact, toActivityFailure } from './failures.js';
import { cancellationSignal, withHeartbeat } from './heartbeat.js';

/**
 * The durable record of a row's run-start. It is written *before* the POST ('sending') and after it, so a retry
 * or a new worker can tell "surely nothing was created" from "a run may exist" (design.md, "Submit once").
 */
export interface SubmitRecord {
  state: 'sending' | 'created' | 'not-created' | 'ambiguous';
  attempts: number;
  startedAt: string;
  runId?: string;
  error?: string;
}

export function createSubmitRun(deps: ActivityDeps) {
  /**
   * Starts the row's provider run at most once. Retried by Temporal only when the previous attempt surely created
   * nothing; an attempt that may have reached the provider ends the row as `submit_unknown` (or, with
   * `--on-ambiguous-submit resubmit`, is sent again).
   */
  return async function submitRun(input: SubmitRunInput): Promise<SubmitRunOutput> {
    const storage = openStorage(input.settings.storage);
    const previous = await readRecord(storage, input.id);
    if (previous?.state === 'created' && previous.runId) {
      return {
        outcome: 'created',
        runId: previous.runId,
        submittedAt: previous.startedAt,
        attempts: previous.attempts,
        snapshot: null,
      };
    }
    if (
      (previous?.state === 'sending' || previous?.state === 'ambiguous') &&
      input.settings.onAmbiguousSubmit !== 'resubmit'
    ) {
      return unknown(
        previous,
        previous.error ?? 'an earlier attempt was interrupted after it may have reached the provider',
      );
    }
    const row = await readRow(storage, input.row);
    const record: SubmitRecord = {
      state: 'sending',
      attempts: (previous?.attempts ?? 0) + 1,
      startedAt: new Date().toISOString(),
    };
    await writeRecord(storage, input.id, record);
    const adapter = deps.adapterFor(input.settings.provider);
    try {
      const started = await withHeartbeat(
        () =>
          adapter.startRun(input.settings.app, row.inputs, {
            signal: cancellationSignal(),
            ...(input.webhookUrl !== undefined ? { webhookUrl: input.webhookUrl } : {}),
          }),
        2_000,
      );
      await writeRecord(storage, input.id, { ...record, state: 'created', runId: started.runId });
      return {
        outcome: 'created',
        runId: started.runId,
        submittedAt: record.startedAt,
        attempts: record.attempts,
        snapshot: started.snapshot ? liteSnapshot(started.snapshot) : null,
      };
    } catch (err) {
      const message = err instanceof Error ? redact(err.message, deps.secrets) : String(err);
      if (!isSubmitAmbiguous(err)) {
        await writeRecord(storage, input.id, { ...record, state: 'not-created', error: message });
        throw toActivityFailure(err, deps.secrets);
      }
      const ambiguous: SubmitRecord = { ...record, state: 'ambiguous', error: message };
      await writeRecord(storage, input.id, ambiguous);
      if (input.settings.onAmbiguousSubmit === 'resubmit') {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.submitAmbiguous,
          message: `${message}; resubmitting as --on-ambiguous-submit resubmit asks`,
        });
      }
      return unknown(ambiguous, message);
    }
  };
}

function unknown(record: SubmitRecord, why: string): SubmitRunOutput {
  return {
    outcome: 'unknown',
    submittedAt: record.startedAt,
    attempts: record.attempts,
    reason: `${why}. The provider may or may not have started (and billed) this run, so durabatch did not resend it; check the provider, then resubmit with 'durabatch redrive <batchId> --unknown'`,
  };
}

async function readRecord(storage: BatchStorage, id: string): Promise<SubmitRecord | null> {
  const text = await storage.readText(submitFile(id));
  return text ? (JSON.parse(text) as SubmitRecord) : null;
}

async function writeRecord(storage: BatchStorage, id: string, record: SubmitRecord): Promise<void> {
  await storage.writeAtomic(submitFile(id), JSON.stringify(record));
}
