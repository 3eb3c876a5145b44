import { FAILURE_TYPES } from '../shared/failures.js';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ListedRun, ProviderAdapter } from '../providers/types.js';
import {
  claimRun,
  inputsFingerprint,
  listPending,
  readClaim,
  readSubmitRecord,
  type BatchStorage,
  type SubmitRecord,
} from '../storage/index.js';
import { pause, type AttemptBudget } from './attempt-budget.js';
import { toActivityFailure } from './failures.js';
import { withHeartbeat } from './heartbeat.js';

/**
 * Reconciliation of an ambiguous run-start (docs/decisions/0002). A run-start that
 * may have created a run is matched against the runs the provider lists for the app since the attempt began:
 * a run is proven to be this row's only when it is the single candidate that no other row owns (claims) and
 * that no other row's unresolved run-start could have created. Anything less ends as `unknown`, never as a
 * guess; while another row's overlapping run-start is still being sent, the verdict is `wait`.
 */

/** Provider and worker clocks may differ by this much: windows start this much earlier. */
export const CLOCK_SKEW_MS = 5_000;
/**
 * A Date header counts whole seconds and is stamped before the answer travels, so the offset it shows is low by up
 * to 1 s plus the latency: the true offset lies between the reading and the reading + 1 s + latency. A reading
 * above this (1 s and 500 ms of latency under CLOCK_SKEW_MS), or below −CLOCK_SKEW_MS, may be outside the windows.
 */
export const MAX_OFFSET_AHEAD_MS = CLOCK_SKEW_MS - 1_500;
/**
 * A run shows up in the list at the latest this long after its request failed (late processing, list lag): the
 * window of a failed request ends then, and "no run" is only concluded once it has passed.
 */
export const ZERO_SETTLE_MS = 15_000;
/** How long reconciliation waits on other rows' run-starts that are still being sent. */
export const RECONCILE_WAIT_MS = 120_000;
/** Pause between two listings while waiting. */
export const RECONCILE_STEP_MS = 2_000;
/** Time kept back for one more listing before an attempt hands over to the next. */
const LIST_ALLOWANCE_MS = 3_000;

/**
 * Failure type of an attempt that ran out of time while reconciling: retryable, and the next attempt resumes from
 * the durable submit record (it never sends the run-start again).
 */
export const SUBMIT_RECONCILING = FAILURE_TYPES.submitReconciling;

/** This row's side: its id, the fingerprint of the inputs it sent, and its attempt's times (ms). */
export interface ReconcileSelf {
  id: string;
  /** What this row writes into claims (claimOwner: the id, with the generation after a redrive). */
  owner: string;
  fingerprint: string;
  startedAt: number;
  /** When the ambiguous request failed or was found interrupted. */
  failedAt: number;
  /** The batch run's generation (redrives count up); absent means 0. */
  generation?: number;
}

/** A run the provider listed, with its owner in this batch. */
export interface Candidate {
  runId: string;
  createdAt: number;
  /** Fingerprint of the run's inputs when the provider lists them (Artu), else null (Lamina). */
  fingerprint: string | null;
  /** The row of this batch that claimed the run, or null. */
  claimedBy: string | null;
}

/** Another row of the batch whose run-start is unresolved. `state` null: listed, record not written yet. */
export interface Rival {
  id: string;
  since: number;
  /** When its request failed; null while it is still being sent (its window is open). */
  failedAt: number | null;
  fingerprint: string;
  state: SubmitRecord['state'] | null;
}

/** `hold` on an unknown verdict: the row's run was probably found, so it must never be sent again automatically. */
export type Verdict =
  | { kind: 'adopt'; runId: string }
  | { kind: 'wait'; reason: string }
  | { kind: 'unknown'; reason: string; hold?: boolean };

export interface JudgeInput {
  self: ReconcileSelf;
  candidates: Candidate[];
  rivals: Rival[];
  now: number;
  /** "lamina app X" — for reasons. */
  appLabel: string;
}

/** The window reconciliation lists: from the attempt's start minus the clock-skew margin. */
export function windowStart(self: Pick<ReconcileSelf, 'startedAt'>): number {
  return self.startedAt - CLOCK_SKEW_MS;
}

/** The last moment a run of a request that failed at `failedAt` can have been created. */
export function windowEnd(failedAt: number): number {
  return failedAt + ZERO_SETTLE_MS + CLOCK_SKEW_MS;
}

/** The verdict for one listing. Pure: every rule of the decision record lives here. */
export function judge({ self, candidates, rivals, now, appLabel }: JudgeInput): Verdict {
  const matching = candidates.filter(
    (c) =>
      (c.fingerprint === null || c.fingerprint === self.fingerprint) &&
      c.createdAt >= windowStart(self) &&
      c.createdAt <= windowEnd(self.failedAt),
  );
  const own = matching.find((c) => c.claimedBy === self.owner);
  // A claim by this row is proof: an earlier attempt adopted or recorded the run and stopped before its record.
  if (own) return { kind: 'adopt', runId: own.runId };
  const open = matching.filter((c) => c.claimedBy === null);
  const window = `between ${iso(windowStart(self))} and ${iso(Math.min(now, windowEnd(self.failedAt)))}`;
  if (open.length === 0) {
    if (now < self.failedAt + ZERO_SETTLE_MS) return { kind: 'wait', reason: `no run of ${appLabel} found yet` };
    const owned = matching.length > 0 ? ` (${matching.length} found, each owned by another row)` : '';
    return { kind: 'unknown', reason: `no unowned run of ${appLabel} with these inputs was created ${window}${owned}` };
  }
  const rivalsOf = (c: Candidate) =>
    rivals.filter(
      (r) =>
        r.id !== self.id &&
        r.state !== 'created' &&
        r.state !== 'not-created' &&
        r.since - CLOCK_SKEW_MS <= c.createdAt &&
        (r.failedAt === null || c.createdAt <= windowEnd(r.failedAt)) &&
        (c.fingerprint === null || c.fingerprint === r.fingerprint),
    );
  const sending = [...new Set(open.flatMap(rivalsOf).filter((r) => r.state === 'sending' || r.state === null))];
  if (sending.length > 0) {
    return { kind: 'wait', reason: `waiting for ${rowList(sending)}, whose run-start is still being sent` };
  }
  const [only] = open;
  if (only && open.length === 1) {
    const doubt = rivalsOf(only);
    if (doubt.length === 0) return { kind: 'adopt', runId: only.runId };
    return {
      kind: 'unknown',
      reason: `run ${only.runId} of ${appLabel} (created ${window}) could also be from ${rowList(doubt)}, whose run-start is also in doubt; not guessing`,
    };
  }
  return {
    kind: 'unknown',
    reason: `${open.length} runs of ${appLabel} owned by no row match (created ${window}): ${open.map((c) => c.runId).join(', ')}; not guessing`,
  };
}

/**
 * Lists the app's runs since the attempt began and what the batch knows about them. The reads go in this order
 * — provider list, pending rows, their records, claims — while a row that finishes writes claim, record, then
 * leaves the pending list: so a run of a row that is no longer pending is always seen as claimed.
 */
/** How long after it began a start of an earlier generation can have reached the provider (its start-to-close). */
const STALE_START_MS = 30_000;

export async function gather(
  storage: BatchStorage,
  adapter: ProviderAdapter & Required<Pick<ProviderAdapter, 'listRuns'>>,
  appId: string,
  self: ReconcileSelf,
  signal: AbortSignal,
): Promise<{ candidates: Candidate[]; rivals: Rival[] }> {
  const listed = await adapter.listRuns({ appId, since: iso(windowStart(self)), signal });
  const pending = (await listPending(storage)).filter((p) => p.id !== self.id);
  const rivals = await Promise.all(
    pending.map(async (p): Promise<Rival> => {
      const record = await readSubmitRecord(storage, p.id);
      // A start of an earlier generation (a batch run that ended, or was terminated, before a redrive) is over:
      // its POST went out within its attempt's 30 s, never later.
      const stale = record !== null && (record.generation ?? 0) < (self.generation ?? 0);
      const settled = stale || record?.state === 'ambiguous' || record?.state === 'unknown';
      const failedAt = stale
        ? Date.parse(record.startedAt) + STALE_START_MS
        : settled && record?.failedAt
          ? Date.parse(record.failedAt)
          : null;
      return {
        id: p.id,
        since: Date.parse(p.since),
        failedAt,
        fingerprint: p.fingerprint,
        state: record?.state ?? null,
      };
    }),
  );
  const runs = listed.map(toCandidate).filter((c) => c.fingerprint === null || c.fingerprint === self.fingerprint);
  const candidates = await Promise.all(runs.map(async (c) => ({ ...c, claimedBy: await readClaim(storage, c.runId) })));
  return { candidates, rivals };
}

function toCandidate(run: ListedRun): Omit<Candidate, 'claimedBy'> {
  const createdAt = Date.parse(run.createdAt);
  return {
    runId: run.runId,
    // A run whose creation time cannot be read is treated as created as early as possible: it matches every rival.
    createdAt: Number.isNaN(createdAt) ? 0 : createdAt,
    fingerprint: run.inputs ? inputsFingerprint(run.inputs) : null,
  };
}

function rowList(rows: { id: string }[]): string {
  const ids = rows.slice(0, 5).map((r) => r.id);
  const more = rows.length > 5 ? ` and ${rows.length - 5} more` : '';
  return `${rows.length === 1 ? 'row' : 'rows'} ${ids.join(', ')}${more}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** What the reconciliation loop needs. `until`: stop waiting on other rows then (ms). */
export interface ReconcileContext {
  storage: BatchStorage;
  adapter: ProviderAdapter;
  appId: string;
  appLabel: string;
  self: ReconcileSelf;
  until: number;
  budget: AttemptBudget;
  secrets: readonly string[];
}

/**
 * Lists and judges until the verdict is `adopt` (the run is then claimed for this row) or `unknown`. When the
 * attempt's time runs out first, throws a retryable `SubmitReconciling` failure: the next attempt picks up from
 * the submit record.
 */
export async function reconcileUntilSettled(ctx: ReconcileContext): Promise<Exclude<Verdict, { kind: 'wait' }>> {
  const { adapter } = ctx;
  if (!adapter.listRuns) {
    return {
      kind: 'unknown',
      reason: `${adapter.provider} cannot list runs, so the run this attempt may have created cannot be looked up`,
    };
  }
  const lister = { ...adapter, listRuns: adapter.listRuns.bind(adapter) };
  for (;;) {
    const found = await listOnce(ctx, lister);
    if ('kind' in found) return found;
    let verdict = judge({ ...found, self: ctx.self, now: Date.now(), appLabel: ctx.appLabel });
    // A run this row claimed is proof whatever the clocks say; any other adoption trusts the windows, so it waits
    // while the clocks look too far apart (each listing reads them again: one slow answer is no verdict).
    const adopting = verdict.kind === 'adopt' ? verdict.runId : null;
    const claimed = found.candidates.some((c) => c.runId === adopting && c.claimedBy === ctx.self.owner);
    const skew = adopting && !claimed ? clockProblem(lister.clockOffsetMs?.() ?? null, ctx.appLabel) : null;
    if (skew) verdict = { kind: 'wait', reason: skew };
    if (verdict.kind === 'adopt') {
      // Another row may have claimed the same run since the listing: then judge again from a fresh listing.
      if ((await claimRun(ctx.storage, verdict.runId, ctx.self.owner)) === ctx.self.owner) return verdict;
      continue;
    }
    if (verdict.kind === 'unknown') return verdict;
    if (Date.now() >= ctx.until) {
      return { kind: 'unknown', reason: `stopped waiting: ${verdict.reason}`, ...(skew ? { hold: true } : {}) };
    }
    if (ctx.budget.remainingMs() < RECONCILE_STEP_MS + LIST_ALLOWANCE_MS) throw reconciling(verdict.reason);
    Context.current().heartbeat();
    await pause(RECONCILE_STEP_MS, ctx.budget.signal);
  }
}

/** One gather() with heartbeats; a listing error becomes an `unknown` verdict (non-retryable) or a retry. */
async function listOnce(
  ctx: ReconcileContext,
  adapter: ProviderAdapter & Required<Pick<ProviderAdapter, 'listRuns'>>,
): Promise<Awaited<ReturnType<typeof gather>> | { kind: 'unknown'; reason: string }> {
  try {
    return await withHeartbeat(() => gather(ctx.storage, adapter, ctx.appId, ctx.self, ctx.budget.signal), 2_000);
  } catch (err) {
    if (ctx.budget.cancelledByTemporal) throw err;
    if (ctx.budget.exhausted) throw reconciling('listing the runs took longer than one attempt may run');
    const failure = toActivityFailure(err, ctx.secrets);
    const message = failure instanceof Error ? failure.message : String(failure);
    const final = failure instanceof ApplicationFailure && failure.nonRetryable;
    if (final || Date.now() >= ctx.until) {
      return { kind: 'unknown', reason: `listing the runs of ${ctx.appLabel} failed: ${message}` };
    }
    throw failure;
  }
}

/** Null when the provider's clock (its Date header) agrees with this worker's closely enough to trust the windows. */
export function clockProblem(offsetMs: number | null, appLabel: string): string | null {
  if (offsetMs === null || (offsetMs <= MAX_OFFSET_AHEAD_MS && offsetMs >= -CLOCK_SKEW_MS)) return null;
  const seconds = Math.round(Math.abs(offsetMs) / 1000);
  const side = offsetMs > 0 ? 'ahead of' : 'behind';
  return (
    `the provider's clock is about ${seconds} s ${side} this worker's (its Date header), more than the ` +
    `${CLOCK_SKEW_MS / 1000} s that matching ${appLabel}'s runs to rows allows, so no run is adopted: a run of ` +
    `another row could be taken for this one; set this worker's clock right (NTP). The run found is probably ` +
    `this row's, so it is not sent again, not even with --on-ambiguous-submit resubmit`
  );
}

function reconciling(why: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SUBMIT_RECONCILING,
    message: `still reconciling a run-start in doubt (${why}); the next attempt resumes without sending it again`,
    nextRetryDelay: '1s',
  });
}
