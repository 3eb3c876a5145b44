import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { NormalizedRow } from '../manifest/types.js';
import { isSubmitAmbiguous } from '../providers/ambiguity.js';
import { ProviderHttpError } from '../providers/errors.js';
import type { ProviderAdapter, RunSnapshot } from '../providers/types.js';
import { FAILURE_TYPES } from '../shared/failures.js';
import type { RunSnapshotLite, SubmitRunInput, SubmitRunOutput } from './contracts.js';
import {
  claimOwner,
  claimRun,
  clearPending,
  inputsFingerprint,
  markPending,
  openStorage,
  readRow,
  readSubmitRecord,
  writeSubmitRecord,
  type BatchStorage,
  type SubmitRecord,
} from '../storage/index.js';
import { AttemptBudget } from './attempt-budget.js';
import { liteSnapshot, type ActivityDeps } from './deps.js';
import { redactSecrets } from '../providers/redact.js';
import { toActivityFailure } from './failures.js';
import { rowStorage } from './legacy-inputs.js';
import { withHeartbeat } from './heartbeat.js';
import { RECONCILE_WAIT_MS, reconcileUntilSettled, type ReconcileContext } from './reconcile.js';

export type { SubmitRecord } from '../storage/index.js';

const INTERRUPTED = 'an earlier attempt was interrupted after it may have reached the provider';

interface Submission {
  input: SubmitRunInput;
  storage: BatchStorage;
  adapter: ProviderAdapter;
  row: NormalizedRow;
  fingerprint: string;
  budget: AttemptBudget;
  secrets: readonly string[];
  /** The batch generation (0, then one more per redrive). */
  generation: number;
  /** This row's name in claims for this generation. */
  owner: string;
}

export function createSubmitRun(deps: ActivityDeps) {
  /**
   * Starts the row's provider run at most once. Retried by Temporal only when the previous attempt surely created
   * nothing. An attempt that may have reached the provider is reconciled: the run it created is looked up in the
   * provider's list and adopted when exactly one is proven; otherwise the row ends `submit_unknown` (or, with
   * `--on-ambiguous-submit resubmit`, is sent again). Every attempt ends itself before its start-to-close timeout,
   * so no retry ever runs beside it.
   */
  return async function submitRun(input: SubmitRunInput): Promise<SubmitRunOutput> {
    const budget = new AttemptBudget(Context.current());
    try {
      const storage = openStorage(rowStorage(input));
      const generation = input.settings.generation ?? 0;
      const previous = await readSubmitRecord(storage, input.id);
      // A record of an earlier generation is superseded by a redrive: this generation sends one fresh run-start.
      const current = previous && (previous.generation ?? 0) >= generation ? previous : null;
      if (current?.state === 'created' && current.runId) return created(current, null);
      const adapter = deps.adapterFor(input.settings.provider);
      if (!current && previous?.state === 'created' && previous.runId) {
        // A redriven row whose earlier run finished well (its download failed, say) is paid for, and one still going
        // will be: use it again.
        const reused = await reusableRun(adapter, previous.runId, budget.signal, deps.secrets);
        if (reused) {
          const record: SubmitRecord = { ...previous, ...(generation > 0 ? { generation } : {}) };
          await writeSubmitRecord(storage, input.id, record);
          return created(record, liteSnapshot(reused));
        }
      }
      const row = await readRow(storage, input.row);
      const sub: Submission = {
        input,
        storage,
        adapter,
        row,
        fingerprint: inputsFingerprint(row.inputs),
        budget,
        secrets: deps.secrets,
        generation,
        owner: claimOwner(input.id, generation),
      };
      if (current?.state === 'sending' || current?.state === 'ambiguous') {
        return await settle(sub, inDoubt(current, Context.current().info.startToCloseTimeoutMs || 30_000));
      }
      // Even with --on-ambiguous-submit resubmit, a provider that creates runs and then fails every answer must not
      // be paid without end: after MAX_RESUBMITS starts the row is held.
      if (
        current?.state === 'unknown' &&
        (input.settings.onAmbiguousSubmit !== 'resubmit' || current.attempts >= MAX_RESUBMITS || current.held)
      ) {
        return unknown(current, current.error ?? INTERRUPTED);
      }
      return await send(sub, previous);
    } finally {
      budget.dispose();
    }
  };
}

/**
 * The earlier run when it can still give the row its outputs: it ended with outputs to keep (succeeded or partial),
 * or it is still going (the row gave up waiting on it, say), so the redrive waits on it again instead of paying for
 * a second one. Null when a fresh start is due: the run ended without outputs, or the provider no longer knows it.
 * Any other failure to read it is the attempt's failure: starting afresh on a read error could pay twice.
 */
async function reusableRun(adapter: ProviderAdapter, runId: string, signal: AbortSignal, secrets: readonly string[]) {
  let run: RunSnapshot;
  try {
    run = await adapter.getRun(runId, { signal });
  } catch (err) {
    if (err instanceof ProviderHttpError && (err.status === 404 || err.status === 410)) return null;
    const failure = toActivityFailure(err, secrets);
    const attempt = Context.current().info.attempt;
    if (!(failure instanceof ApplicationFailure) || (!failure.nonRetryable && attempt < REUSE_READ_ATTEMPTS))
      throw failure;
    // A run the provider refuses to show, or one kept trying forever, would hold the row and its batch for good.
    throw ApplicationFailure.create({
      type: failure.type ?? FAILURE_TYPES.providerUnavailable,
      nonRetryable: true,
      message: `could not read run ${runId}, this row's earlier run (attempt ${attempt}: ${failure.message}); it may still be running, and billed: check it at the provider before you redrive the row again. No new run was started`,
    });
  }
  if (!run.terminal) return run;
  return run.state === 'succeeded' || run.state === 'partial' ? run : null;
}

/** Attempts a redrive makes at reading the row's earlier run before the row fails (about 4 minutes of backoff). */
const REUSE_READ_ATTEMPTS = 8;

/** Sends the run-start POST: the one request that can bill. */
async function send(sub: Submission, previous: SubmitRecord | null): Promise<SubmitRunOutput> {
  const { input, storage, budget } = sub;
  if (budget.stopping) {
    // Nothing sent and nothing written: another worker sends it. (A start already on the wire is let finish.)
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.providerUnavailable,
      message: 'this worker is shutting down, so it did not send the run-start; another worker sends it',
      nextRetryDelay: '1s',
    });
  }
  const record: SubmitRecord = {
    state: 'sending',
    attempts: (previous?.attempts ?? 0) + 1,
    startedAt: new Date().toISOString(),
    ...(sub.generation > 0 ? { generation: sub.generation } : {}),
  };
  // Listed as pending before the record says 'sending': another row's reconciliation must see this row first.
  const pending = { id: input.id, since: record.startedAt, fingerprint: sub.fingerprint };
  await markPending(storage, pending, { firstStart: previous === null });
  await writeSubmitRecord(storage, input.id, record);
  try {
    const started = await withHeartbeat(
      () =>
        sub.adapter.startRun(input.settings.app, sub.row.inputs, {
          signal: budget.signal,
          ...(input.webhookUrl !== undefined ? { webhookUrl: input.webhookUrl } : {}),
        }),
      2_000,
    );
    const done: SubmitRecord = { ...record, state: 'created', runId: started.runId };
    await own(sub, started.runId, done);
    return created(done, started.snapshot ? liteSnapshot(started.snapshot) : null);
  } catch (err) {
    // Cancelled by Temporal (timed out, worker shutting down): write nothing; the next attempt finds 'sending'.
    if (budget.cancelledByTemporal) throw err;
    const message = err instanceof Error ? redactSecrets(err.message, sub.secrets) : String(err);
    if (!isSubmitAmbiguous(err)) {
      await writeSubmitRecord(storage, input.id, { ...record, state: 'not-created', error: message });
      await clearPending(storage, input.id);
      throw toActivityFailure(err, sub.secrets);
    }
    const doubt: SubmitRecord = { ...record, state: 'ambiguous', error: message, failedAt: new Date().toISOString() };
    return settle(sub, doubt);
  }
}

/** A record in doubt, as the attempt that finds it sees it: an interrupted 'sending' becomes 'ambiguous'. */
/**
 * An interrupted attempt (its record still says 'sending') as one in doubt. Its POST cannot have been sent after
 * its own start-to-close ran out, so the window to look for its run ends there, not when a worker came back (an
 * hour of downtime must not widen the search to an hour of other clients' runs).
 */
function inDoubt(previous: SubmitRecord, startToCloseMs: number): SubmitRecord {
  if (previous.state === 'ambiguous') return previous;
  const latest = Math.min(Date.now(), Date.parse(previous.startedAt) + startToCloseMs);
  return {
    ...previous,
    state: 'ambiguous',
    error: previous.error ?? INTERRUPTED,
    failedAt: new Date(latest).toISOString(),
  };
}

/** Run-starts a row may send under --on-ambiguous-submit resubmit before it is held as submit_unknown. */
export const MAX_RESUBMITS = 3;

/** Reconciles a run-start in doubt: adopt the proven run, or end as unknown (or resubmit when asked). */
async function settle(sub: Submission, doubt: SubmitRecord): Promise<SubmitRunOutput> {
  const { input, storage } = sub;
  const record: SubmitRecord = doubt.reconcileUntil
    ? doubt
    : { ...doubt, reconcileUntil: new Date(Date.now() + RECONCILE_WAIT_MS).toISOString() };
  // Still unresolved, so still listed for other rows (again, in case a crash lost the entry written before the POST).
  await markPending(storage, { id: input.id, since: record.startedAt, fingerprint: sub.fingerprint });
  await writeSubmitRecord(storage, input.id, record);
  const ctx: ReconcileContext = {
    storage,
    adapter: sub.adapter,
    appId: input.settings.app,
    appLabel: `${input.settings.provider} app ${input.settings.app}`,
    self: {
      id: input.id,
      owner: sub.owner,
      fingerprint: sub.fingerprint,
      startedAt: Date.parse(record.startedAt),
      failedAt: Date.parse(record.failedAt ?? record.startedAt),
      generation: sub.generation,
    },
    until: Date.parse(record.reconcileUntil ?? ''),
    budget: sub.budget,
    secrets: sub.secrets,
  };
  const verdict = await reconcileUntilSettled(ctx);
  if (verdict.kind === 'adopt') {
    const adopted: SubmitRecord = { ...record, state: 'created', runId: verdict.runId, adopted: true };
    await own(sub, verdict.runId, adopted);
    return created(adopted, null);
  }
  const why = `${record.error ?? INTERRUPTED}; ${verdict.reason}`;
  const held: SubmitRecord = { ...record, state: 'unknown', error: why, ...(verdict.hold ? { held: true } : {}) };
  await writeSubmitRecord(storage, input.id, held);
  if (input.settings.onAmbiguousSubmit === 'resubmit' && !verdict.hold) {
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.submitAmbiguous,
      message: `${why}; resubmitting as --on-ambiguous-submit resubmit asks`,
    });
  }
  return unknown(held, why);
}

/** Records the row's run: claim first, then the record, then off the pending list (the order gather() needs). */
async function own({ storage, input, owner }: Submission, runId: string, record: SubmitRecord): Promise<void> {
  const { id } = input;
  // A claim held by another row here would mean that row adopted this row's run by mistake. This row knows its run
  // for sure, so it records it anyway; the other row's record then names the same run.
  await claimRun(storage, runId, owner);
  await writeSubmitRecord(storage, id, record);
  await clearPending(storage, id);
}

function created(record: SubmitRecord, snapshot: RunSnapshotLite | null): SubmitRunOutput {
  return {
    outcome: 'created',
    runId: record.runId ?? '',
    submittedAt: record.startedAt,
    attempts: record.attempts,
    snapshot,
    ...(record.adopted ? { adopted: true as const } : {}),
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
