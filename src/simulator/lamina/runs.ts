import { randomUUID } from 'node:crypto';
import type { CounterStore } from '../counters.js';
import { inputFingerprint } from '../fingerprint.js';
import type { Scheduler } from '../scheduler.js';
import type { LaminaAppDefinition } from '../types.js';
import { SIMULATED_FAILURE_MESSAGE, workflowIdFor } from './run-plan.js';
import type { OutputSlot, RunPlan } from './run-plan.js';

/** Lamina's run statuses. */
export type LaminaRunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Statuses after which a run never changes. */
export const TERMINAL_STATUSES: ReadonlySet<LaminaRunStatus> = new Set(['completed', 'failed', 'cancelled']);

/** A simulated run, held in memory. Times are unix milliseconds. */
export interface LaminaRun {
  runId: string;
  appId: string;
  workflowId: string;
  workflowName: string;
  webhookUrl: string | null;
  status: LaminaRunStatus;
  plan: RunPlan;
  outputs: OutputSlot[];
  errorMessage: string | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
}

/** Filter of GET /v1/runs. */
export interface RunFilter {
  appId?: string;
  status?: LaminaRunStatus;
  sinceMs?: number;
}

/**
 * Lamina runs in memory and their lifecycle, driven by the clock: queued → running → completed | failed, or
 * cancelled. Each live run holds one timer at a time; waiters are woken by the run's terminal transition, never
 * by polling.
 */
export class LaminaRunStore {
  private readonly runs = new Map<string, LaminaRun>();
  private readonly timers = new Map<string, () => void>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly counters: CounterStore,
    private readonly onTerminal: (run: LaminaRun) => void = () => undefined,
  ) {}

  /** Creates (and counts) a run that starts queued and follows its plan. */
  create(
    app: LaminaAppDefinition,
    inputs: Record<string, unknown>,
    plan: RunPlan,
    webhookUrl: string | null,
  ): LaminaRun {
    const run: LaminaRun = {
      runId: randomUUID(),
      appId: app.appId,
      workflowId: workflowIdFor(app.appId),
      workflowName: app.name,
      webhookUrl,
      status: 'queued',
      plan,
      outputs: plan.outputs,
      errorMessage: null,
      createdAt: Date.now(),
      startedAt: null,
      completedAt: null,
    };
    this.runs.set(run.runId, run);
    this.counters.runCreated('lamina', app.appId, inputFingerprint('lamina', app.appId, inputs));
    this.timers.set(
      run.runId,
      this.scheduler.schedule(plan.queuedMs, () => this.start(run)),
    );
    return run;
  }

  /** The run with this id, if any. */
  get(runId: string): LaminaRun | undefined {
    return this.runs.get(runId);
  }

  /** Runs matching the filter, oldest first. */
  list(filter: RunFilter): LaminaRun[] {
    return [...this.runs.values()].filter(
      (run) =>
        (filter.appId === undefined || run.appId === filter.appId) &&
        (filter.status === undefined || run.status === filter.status) &&
        (filter.sinceMs === undefined || run.createdAt >= filter.sinceMs),
    );
  }

  /** Cancels a live run; a terminal run is left as it is. */
  cancel(run: LaminaRun): void {
    if (TERMINAL_STATUSES.has(run.status)) return;
    this.finish(run, 'cancelled', 'Run cancelled');
  }

  /**
   * Resolves true once the run is terminal, or false after `ms` or when `signal` aborts; cleans up either way.
   */
  waitForTerminal(run: LaminaRun, ms: number, signal: AbortSignal): Promise<boolean> {
    if (TERMINAL_STATUSES.has(run.status)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const set = this.waiters.get(run.runId) ?? new Set<() => void>();
      this.waiters.set(run.runId, set);
      let settled = false;
      const done = (result: boolean): void => {
        if (settled) return;
        settled = true;
        set.delete(wake);
        cancelTimer();
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const wake = (): void => done(true);
      const onAbort = (): void => done(false);
      const cancelTimer = this.scheduler.schedule(ms, () => done(false));
      set.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) done(false);
    });
  }

  private start(run: LaminaRun): void {
    run.status = 'running';
    run.startedAt = Date.now();
    const remaining = run.plan.durationMs - run.plan.queuedMs;
    this.timers.set(
      run.runId,
      this.scheduler.schedule(remaining, () =>
        run.plan.willFail ? this.finish(run, 'failed', SIMULATED_FAILURE_MESSAGE) : this.finish(run, 'completed', null),
      ),
    );
  }

  private finish(run: LaminaRun, status: LaminaRunStatus, errorMessage: string | null): void {
    this.timers.get(run.runId)?.();
    this.timers.delete(run.runId);
    run.status = status;
    run.errorMessage = errorMessage;
    run.completedAt = Date.now();
    this.counters.runEnded();
    const waiting = this.waiters.get(run.runId);
    this.waiters.delete(run.runId);
    for (const wake of waiting ?? []) wake();
    this.onTerminal(run);
  }
}
