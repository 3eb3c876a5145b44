import { CancelledFailure, type ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderAbortedError, ProviderHttpError, ProviderNetworkError } from '../providers/errors.js';
import type { ListedRun, ProviderAdapter, StartRunResult } from '../providers/types.js';
import type { ItemSettings } from '../shared/batch-spec.js';
import type { SubmitRunOutput } from './contracts.js';
import {
  claimRun,
  inputsFingerprint,
  listPending,
  LocalStorage,
  markPending,
  readClaim,
  readSubmitRecord,
  RowWriter,
  writeSubmitRecord,
} from '../storage/index.js';
import { AttemptBudget } from './attempt-budget.js';
import { clockProblem, SUBMIT_RECONCILING } from './reconcile.js';
import { createSubmitRun } from './submit.js';

const ctx = { provider: 'lamina' as const, method: 'POST', path: '/v1/apps/app-1/runs' };
const dropped = () => new ProviderNetworkError({ ...ctx, requestSent: true, networkCode: 'ECONNRESET' });

/** An in-memory provider: `onStart` decides what a run-start does; the list honours `since` and the signal. */
class FakeProvider {
  runs: ListedRun[] = [];
  starts = 0;
  listError: Error | null = null;
  showInputs = false;
  /** Runs that have ended, with their state; getRun answers the other runs it made as still going, and 404 else. */
  ended = new Map<string, 'succeeded' | 'failed'>();
  /** When set, getRun fails with it. */
  getRunError: Error | null = null;
  /** What the adapter says of the provider's clock against the worker's (its Date headers). */
  clockOffset: number | null = null;
  onStart: (inputs: Record<string, unknown>, signal: AbortSignal) => Promise<StartRunResult> = (inputs) =>
    Promise.resolve({ runId: this.create(inputs), snapshot: null });

  create(inputs: Record<string, unknown>): string {
    const runId = `run-${this.runs.length + 1}`;
    this.runs.push({ runId, providerStatus: 'queued', createdAt: new Date().toISOString(), inputs });
    return runId;
  }

  adapter(canList = true): ProviderAdapter {
    const unused = () => Promise.reject(new Error('not used'));
    const base: ProviderAdapter = {
      provider: 'lamina',
      clockOffsetMs: () => this.clockOffset,
      getApp: () => Promise.resolve(null),
      startRun: (_app, inputs, opts) => {
        this.starts += 1;
        return this.onStart(inputs, opts?.signal ?? new AbortController().signal);
      },
      getRun: (runId) => {
        if (this.getRunError) return Promise.reject(this.getRunError);
        if (!this.runs.some((r) => r.runId === runId))
          return Promise.reject(new ProviderHttpError({ ...ctx, method: 'GET', status: 404 }));
        const state = this.ended.get(runId) ?? 'running';
        return Promise.resolve({
          runId,
          providerStatus: { succeeded: 'completed', failed: 'failed', running: 'running' }[state],
          state,
          terminal: state !== 'running',
          outputs: [],
          errorMessage: null,
          progress: null,
          records: null,
          createdAt: null,
          completedAt: null,
        });
      },
      waitRun: unused,
    };
    if (!canList) return base;
    return {
      ...base,
      listRuns: ({ since, signal }) => {
        if (signal?.aborted) return Promise.reject(new ProviderAbortedError({ ...ctx, requestSent: false }));
        if (this.listError) return Promise.reject(this.listError);
        const listed = this.runs.filter((r) => r.createdAt >= since);
        return Promise.resolve(listed.map((r) => ({ ...r, inputs: this.showInputs ? r.inputs : null })));
      },
    };
  }
}

let dir: string;
let storage: LocalStorage;
let provider: FakeProvider;
const ROW_INPUTS = { Prompt: 'a red chair', Style: 'Photoreal' };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'durabatch-submit-'));
  storage = new LocalStorage(dir);
  const writer = await RowWriter.open(storage);
  await writer.write({ row: 1, key: 'sku-1', id: 'sku-1', inputs: ROW_INPUTS });
  await writer.write({ row: 2, key: 'sku-2', id: 'sku-2', inputs: { Prompt: 'a blue sofa', Style: 'Photoreal' } });
  await writer.commit();
  provider = new FakeProvider();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function settings(extra: Partial<ItemSettings> = {}): ItemSettings {
  return {
    provider: 'lamina',
    app: 'app-1',
    waitSeconds: 5,
    itemTimeoutMs: 60_000,
    onAmbiguousSubmit: 'hold',
    ...extra,
  };
}

function submit(
  opts: { startToCloseMs?: number; canList?: boolean; extra?: Partial<ItemSettings> } = {},
): Promise<SubmitRunOutput> {
  const env = new MockActivityEnvironment({ startToCloseTimeoutMs: opts.startToCloseMs ?? 30_000 });
  const run = createSubmitRun({ adapterFor: () => provider.adapter(opts.canList), secrets: [], maxAssetBytes: 1 });
  return env.run(run, { row: 1, id: 'sku-1', storage: dir, settings: settings(opts.extra) });
}

/** A start the provider accepted (the run exists) whose answer was lost. */
function dropAfterAccept(): void {
  provider.onStart = (inputs) => {
    provider.create(inputs);
    return Promise.reject(dropped());
  };
}

function reasonOf(out: SubmitRunOutput): string {
  if (out.outcome !== 'unknown') throw new Error(`expected unknown, got ${out.outcome}`);
  return out.reason;
}

describe('submitRun after an ambiguous run-start', () => {
  it('adopts the run an accepted-then-dropped start created, and claims it for the row', async () => {
    dropAfterAccept();
    const out = await submit();
    expect(out).toMatchObject({ outcome: 'created', runId: 'run-1', attempts: 1 });
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ state: 'created', runId: 'run-1', adopted: true });
    expect(await readClaim(storage, 'run-1')).toBe('sku-1');
    expect(await listPending(storage)).toEqual([]);
    expect(await submit()).toMatchObject({ outcome: 'created', runId: 'run-1' });
    expect(provider.starts).toBe(1);
  });

  it('ends unknown, and never sends again, when two runs nobody owns could be the row’s', async () => {
    provider.create({ Prompt: 'someone else' });
    dropAfterAccept();
    const reason = reasonOf(await submit());
    expect(reason).toContain('2 runs of lamina app app-1 owned by no row match');
    expect(reason).toContain("durabatch redrive <batchId> --unknown'");
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ state: 'unknown' });
    expect(reasonOf(await submit())).toBe(reason);
    expect(provider.starts).toBe(1);
  });

  it("adopts nothing while the provider's clock is further off than the windows allow, and never resends it", async () => {
    provider.clockOffset = -8_000;
    provider.create(ROW_INPUTS);
    const startedAt = new Date(Date.now() - 1_000).toISOString();
    await markPending(storage, { id: 'sku-1', since: startedAt, fingerprint: inputsFingerprint(ROW_INPUTS) });
    // The start was dropped, and reconciling has 2.5 s left: every listing shows the clocks 8 s apart.
    await writeSubmitRecord(storage, 'sku-1', {
      state: 'ambiguous',
      attempts: 1,
      startedAt,
      failedAt: startedAt,
      error: 'dropped',
      reconcileUntil: new Date(Date.now() + 2_500).toISOString(),
    });
    const extra = { onAmbiguousSubmit: 'resubmit' as const };
    const reason = reasonOf(await submit({ extra }));
    expect(reason).toContain("the provider's clock is about 8 s behind this worker's");
    expect(reason).toContain('NTP');
    expect(await readClaim(storage, 'run-1')).toBeNull();
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ state: 'unknown', held: true });
    // Even --on-ambiguous-submit resubmit does not send it again: the run found is probably the row's.
    expect(reasonOf(await submit({ extra }))).toContain('NTP');
    expect(provider.starts).toBe(0);
  });

  it('adopts once the clocks agree again within the windows (a Date header reads up to 1 s low)', async () => {
    provider.clockOffset = -8_000;
    dropAfterAccept();
    setTimeout(() => (provider.clockOffset = -4_500), 500);
    expect(await submit()).toMatchObject({ outcome: 'created', runId: 'run-1' });
  });

  it('trusts a Date header up to 3.5 s ahead (it reads low) and 5 s behind', () => {
    for (const offset of [null, 0, 3_500, -5_000])
      expect(clockProblem(offset, 'lamina app a'), String(offset)).toBeNull();
    expect(clockProblem(3_600, 'lamina app a')).toContain('about 4 s ahead of');
    expect(clockProblem(-5_100, 'lamina app a')).toContain('about 5 s behind');
  });

  it('matches on inputs when the list shows them, ignoring runs of other inputs', async () => {
    provider.showInputs = true;
    provider.create({ Prompt: 'someone else' });
    dropAfterAccept();
    expect(await submit()).toMatchObject({ outcome: 'created', runId: 'run-2' });
  });

  it('does not adopt a run another row owns, and concludes "no run" once the settling time has passed', async () => {
    // An earlier attempt of this row failed a minute ago; the one run created then belongs to sku-2.
    const startedAt = new Date(Date.now() - 61_000).toISOString();
    const failedAt = new Date(Date.now() - 60_000).toISOString();
    provider.runs.push({ runId: 'run-1', providerStatus: 'completed', createdAt: failedAt, inputs: null });
    await claimRun(storage, 'run-1', 'sku-2');
    await writeSubmitRecord(storage, 'sku-1', { state: 'ambiguous', attempts: 1, startedAt, failedAt, error: 'reset' });
    const reason = reasonOf(await submit());
    expect(reason).toMatch(/^reset; no unowned run of lamina app app-1 .* \(1 found, each owned by another row\)\./);
    expect(provider.starts).toBe(0);
  });

  it('ends unknown when the provider cannot list runs', async () => {
    dropAfterAccept();
    expect(reasonOf(await submit({ canList: false }))).toContain('lamina cannot list runs');
    expect(provider.starts).toBe(1);
  });

  it('retries a listing that failed for now, and ends unknown on one that failed for good', async () => {
    dropAfterAccept();
    provider.listError = new ProviderHttpError({ ...ctx, method: 'GET', path: '/v1/runs', status: 500 });
    const failure = (await submit().catch((e: unknown) => e)) as ApplicationFailure;
    expect(failure.type).toBe('ProviderUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ state: 'ambiguous' });
    provider.listError = new ProviderHttpError({ ...ctx, method: 'GET', path: '/v1/runs', status: 403 });
    expect(reasonOf(await submit())).toMatch(/listing the runs of lamina app app-1 failed: .*403/);
    expect(provider.starts).toBe(1);
  });

  it('waits while another row’s overlapping start is still being sent, then adopts once that row has its run', async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    await markPending(storage, { id: 'sku-2', since, fingerprint: 'other' });
    await writeSubmitRecord(storage, 'sku-2', { state: 'sending', attempts: 1, startedAt: since });
    dropAfterAccept();
    // 5 s to close leaves no room for a wait step: the attempt hands over to the next one.
    const failure = (await submit({ startToCloseMs: 5_000 }).catch((e: unknown) => e)) as ApplicationFailure;
    expect(failure.type).toBe(SUBMIT_RECONCILING);
    expect(failure.nonRetryable).toBe(false);
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ state: 'ambiguous' });
    // sku-2's own start is answered meanwhile: a run created before ours, claimed, then recorded.
    provider.runs.unshift({ runId: 'run-0', providerStatus: 'queued', createdAt: since, inputs: null });
    await claimRun(storage, 'run-0', 'sku-2');
    await writeSubmitRecord(storage, 'sku-2', { state: 'created', attempts: 1, startedAt: since, runId: 'run-0' });
    expect(await submit()).toMatchObject({ outcome: 'created', runId: 'run-1' });
    expect(provider.starts).toBe(1);
  });

  it('resubmits after an unproven match only when --on-ambiguous-submit resubmit asks', async () => {
    provider.create({ Prompt: 'someone else' });
    dropAfterAccept();
    const extra = { onAmbiguousSubmit: 'resubmit' as const };
    const failure = (await submit({ extra }).catch((e: unknown) => e)) as ApplicationFailure;
    expect(failure.type).toBe('SubmitAmbiguous');
    provider.onStart = (inputs) => Promise.resolve({ runId: provider.create(inputs), snapshot: null });
    expect(await submit({ extra })).toMatchObject({ outcome: 'created', runId: 'run-3', attempts: 2 });
    expect(provider.starts).toBe(2);
  });
});

describe('submitRun in a redrive', () => {
  it('sends one fresh run-start per generation and never adopts the run of an earlier one', async () => {
    expect(await submit()).toMatchObject({ outcome: 'created', runId: 'run-1', attempts: 1 });
    provider.ended.set('run-1', 'failed');
    expect(await submit({ extra: { generation: 1 } })).toMatchObject({ runId: 'run-2' });
    expect(await submit({ extra: { generation: 1 } })).toMatchObject({ runId: 'run-2' });
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ generation: 1, attempts: 2 });
    expect(await readClaim(storage, 'run-2')).toBe('sku-1@1');
    provider.ended.set('run-2', 'failed');
    // Generation 2's start is dropped: runs 1 and 2 are this row's older ones, run 3 is the one to adopt.
    dropAfterAccept();
    const third = await submit({ extra: { generation: 2 } });
    expect(third).toMatchObject({ outcome: 'created', runId: 'run-3', attempts: 3 });
    expect(provider.starts).toBe(3);
  });

  it('uses the earlier run again when it succeeded (only its download failed), and starts afresh when it failed', async () => {
    expect(await submit()).toMatchObject({ runId: 'run-1' });
    provider.ended.set('run-1', 'succeeded');
    const reused = await submit({ extra: { generation: 1 } });
    expect(reused).toMatchObject({ outcome: 'created', runId: 'run-1', snapshot: { terminal: true } });
    expect(provider.starts).toBe(1);
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ runId: 'run-1', generation: 1 });
    provider.ended.set('run-1', 'failed');
    expect(await submit({ extra: { generation: 2 } })).toMatchObject({ runId: 'run-2' });
    expect(provider.starts).toBe(2);
  });

  it('waits on the earlier run again when it is still going, instead of paying for a second one', async () => {
    expect(await submit()).toMatchObject({ runId: 'run-1' });
    const again = await submit({ extra: { generation: 1 } });
    expect(again).toMatchObject({ outcome: 'created', runId: 'run-1', snapshot: { terminal: false } });
    expect(provider.starts).toBe(1);
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ runId: 'run-1', generation: 1 });
  });

  it('fails the row, without a new run, when the earlier run cannot be read after several attempts or is refused', async () => {
    expect(await submit()).toMatchObject({ runId: 'run-1' });
    provider.getRunError = new ProviderHttpError({ ...ctx, method: 'GET', status: 502 });
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 30_000, attempt: 8 });
    const run = createSubmitRun({ adapterFor: () => provider.adapter(), secrets: [], maxAssetBytes: 1 });
    const args = { row: 1, id: 'sku-1', storage: dir, settings: settings({ generation: 1 }) };
    const late = (await env.run(run, args).catch((e: unknown) => e)) as ApplicationFailure;
    expect(late.nonRetryable).toBe(true);
    expect(late.message).toContain("could not read run run-1, this row's earlier run (attempt 8");
    expect(late.message).toContain('No new run was started');
    provider.getRunError = new ProviderHttpError({ ...ctx, method: 'GET', status: 400 });
    const refused = (await submit({ extra: { generation: 1 } }).catch((e: unknown) => e)) as ApplicationFailure;
    expect(refused.nonRetryable).toBe(true);
    expect(refused.message).toContain('check it at the provider');
    provider.getRunError = new ProviderHttpError({ ...ctx, method: 'GET', status: 410 });
    expect(await submit({ extra: { generation: 1 } })).toMatchObject({ outcome: 'created', runId: 'run-2' });
    expect(provider.starts).toBe(2);
  });

  it('starts afresh when the provider no longer knows the earlier run, and not on any other read failure', async () => {
    expect(await submit()).toMatchObject({ runId: 'run-1' });
    provider.getRunError = new ProviderHttpError({ ...ctx, method: 'GET', status: 429, retryAfterSeconds: 3 });
    const failure = (await submit({ extra: { generation: 1 } }).catch((e: unknown) => e)) as ApplicationFailure;
    expect(failure.nonRetryable).toBe(false);
    expect(provider.starts).toBe(1);
    provider.getRunError = new ProviderNetworkError({
      ...ctx,
      method: 'GET',
      requestSent: true,
      networkCode: 'ECONNRESET',
    });
    await expect(submit({ extra: { generation: 1 } })).rejects.toBeTruthy();
    expect(provider.starts).toBe(1);
    provider.getRunError = null;
    provider.runs = [];
    expect(await submit({ extra: { generation: 1 } })).toMatchObject({ outcome: 'created', runId: 'run-1' });
    expect(provider.starts).toBe(2);
  });

  it('reconciles a redrive attempt that was interrupted while sending, and does not send again', async () => {
    expect(await submit()).toMatchObject({ runId: 'run-1' });
    // Generation 1's start reached the provider, then the worker died before it wrote the answer.
    const startedAt = new Date().toISOString();
    await markPending(storage, { id: 'sku-1', since: startedAt, fingerprint: inputsFingerprint(ROW_INPUTS) });
    await writeSubmitRecord(storage, 'sku-1', { state: 'sending', attempts: 2, startedAt, generation: 1 });
    provider.create(ROW_INPUTS);
    const out = await submit({ extra: { generation: 1 } });
    expect(out).toMatchObject({ outcome: 'created', runId: 'run-2', attempts: 2 });
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ adopted: true, generation: 1 });
    expect(provider.starts).toBe(1);
  });
});

describe('a submit attempt that runs out of time', () => {
  it('stops its hanging start before its start-to-close timeout; the next attempt adopts the late run without resending', async () => {
    let startSignal: AbortSignal | null = null;
    let startSettled = false;
    provider.onStart = (inputs, signal) => {
      startSignal = signal;
      return new Promise<StartRunResult>((_, reject) => {
        signal.addEventListener('abort', () => {
          provider.create(inputs); // the provider still processes the request after the client gave up
          startSettled = true;
          reject(new ProviderAbortedError({ ...ctx, requestSent: true }));
        });
      });
    };
    const failure = (await submit({ startToCloseMs: 1_000 }).catch((e: unknown) => e)) as ApplicationFailure;
    expect(failure.type).toBe(SUBMIT_RECONCILING);
    expect(failure.nonRetryable).toBe(false);
    expect((startSignal as AbortSignal | null)?.aborted).toBe(true);
    expect(startSettled).toBe(true);
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ state: 'ambiguous', attempts: 1 });
    expect(await submit()).toMatchObject({ outcome: 'created', runId: 'run-1' });
    expect(provider.starts).toBe(1);
  });

  it('writes nothing after Temporal cancelled it, so the next attempt treats the start as in doubt', async () => {
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 30_000 });
    provider.onStart = (inputs, signal) =>
      new Promise<StartRunResult>((_, reject) => {
        signal.addEventListener('abort', () => reject(new ProviderAbortedError({ ...ctx, requestSent: true })));
        setTimeout(() => env.cancel('TIMED_OUT'), 10);
      });
    const run = createSubmitRun({ adapterFor: () => provider.adapter(), secrets: [], maxAssetBytes: 1 });
    await expect(env.run(run, { row: 1, id: 'sku-1', storage: dir, settings: settings() })).rejects.toThrow();
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ state: 'sending' });
    expect((await listPending(storage)).map((p) => p.id)).toEqual(['sku-1']);
    expect((await listPending(storage))[0]?.fingerprint).toBe(inputsFingerprint(ROW_INPUTS));
  });
});

describe('a submit attempt whose worker shuts down while its start is on the wire', () => {
  it('lets the start finish and records the run, so the row needs no reconciling', async () => {
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 30_000 });
    let aborted = false;
    provider.onStart = (inputs, signal) =>
      new Promise<StartRunResult>((resolve) => {
        signal.addEventListener('abort', () => (aborted = true));
        // The worker is asked to stop while the provider is still answering.
        setTimeout(() => env.cancel('WORKER_SHUTDOWN'), 10);
        setTimeout(() => resolve({ runId: provider.create(inputs), snapshot: null }), 50);
      });
    const run = createSubmitRun({ adapterFor: () => provider.adapter(), secrets: [], maxAssetBytes: 1 });
    const out: SubmitRunOutput = await env.run(run, { row: 1, id: 'sku-1', storage: dir, settings: settings() });
    expect(aborted).toBe(false);
    expect(out).toMatchObject({ outcome: 'created', runId: 'run-1', attempts: 1 });
    expect(await readSubmitRecord(storage, 'sku-1')).toMatchObject({ state: 'created', runId: 'run-1' });
    expect(await listPending(storage)).toEqual([]);
    expect(provider.starts).toBe(1);
  });
});

describe('a submit attempt that begins while its worker shuts down', () => {
  it('sends nothing and writes nothing, so another worker sends the start', async () => {
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 30_000 });
    env.cancel('WORKER_SHUTDOWN');
    const run = createSubmitRun({ adapterFor: () => provider.adapter(), secrets: [], maxAssetBytes: 1 });
    const failure = (await env
      .run(run, { row: 1, id: 'sku-1', storage: dir, settings: settings() })
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect(failure.message).toContain('shutting down');
    expect(failure.nonRetryable).toBe(false);
    expect(provider.starts).toBe(0);
    expect(await readSubmitRecord(storage, 'sku-1')).toBeNull();
    expect(await listPending(storage)).toEqual([]);
  });
});

describe('AttemptBudget', () => {
  it("outlives its worker's shutdown, up to its own deadline", () => {
    vi.useFakeTimers();
    try {
      const temporal = new AbortController();
      const info = { startToCloseTimeoutMs: 30_000 } as MockActivityEnvironment['context']['info'];
      const budget = new AttemptBudget({ info, cancellationSignal: temporal.signal }, Date.now());
      temporal.abort(new CancelledFailure('WORKER_SHUTDOWN'));
      expect(budget.signal.aborted).toBe(false);
      expect(budget.cancelledByTemporal).toBe(false);
      vi.advanceTimersByTime(24_000);
      expect(budget.signal.aborted).toBe(true);
      expect(budget.exhausted).toBe(true);
      budget.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('aborts at its share of the start-to-close timeout, not before, and tells that apart from a cancellation', () => {
    vi.useFakeTimers();
    try {
      const temporal = new AbortController();
      const info = { startToCloseTimeoutMs: 30_000 } as MockActivityEnvironment['context']['info'];
      const budget = new AttemptBudget({ info, cancellationSignal: temporal.signal }, Date.now());
      vi.advanceTimersByTime(23_999);
      expect(budget.signal.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(budget.signal.aborted).toBe(true);
      expect(budget.exhausted).toBe(true);
      expect(budget.cancelledByTemporal).toBe(false);
      const other = new AttemptBudget({ info, cancellationSignal: temporal.signal }, Date.now());
      temporal.abort();
      expect(other.signal.aborted).toBe(true);
      expect(other.cancelledByTemporal).toBe(true);
      expect(other.exhausted).toBe(false);
      budget.dispose();
      other.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
