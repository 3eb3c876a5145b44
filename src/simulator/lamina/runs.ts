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
  /** Outputs ready so far: they complete in order, one by one over the running time (all once completed). */
  completedOutputs: number;
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
 * cancelled; a run that completes readies its outputs one by one over its running time. Each live run holds one
 * timer at a time; waiters and streams are woken by the run's changes, never by polling.
 */
export class LaminaRunStore {
  private readonly runs = new Map<string, LaminaRun>();
  private readonly timers = new Map<string, () => void>();
  private readonly listeners = new Map<string, Set<() => void>>();

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
      completedOutputs: 0,
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

  /** Calls `listener` after each change of the run (start, an output ready, the end); returns the unsubscribe. */
  subscribe(run: LaminaRun, listener: () => void): () => void {
    const set = this.listeners.get(run.runId) ?? new Set<() => void>();
    this.listeners.set(run.runId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(run.runId) === set) this.listeners.delete(run.runId);
    };
  }

  /**
   * Resolves true once the run is terminal, or false after `ms` or when `signal` aborts; cleans up either way.
   */
  waitForTerminal(run: LaminaRun, ms: number, signal: AbortSignal): Promise<boolean> {
    if (TERMINAL_STATUSES.has(run.status)) return Promise.resolve(true);
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: boolean): void => {
        if (settled) return;
        settled = true;
        unsubscribe();
        cancelTimer();
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const unsubscribe = this.subscribe(run, () => {
        if (TERMINAL_STATUSES.has(run.status)) done(true);
      });
      const onAbort = (): void => done(false);
      const cancelTimer = this.scheduler.schedule(ms, () => done(false));
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) done(false);
    });
  }

  private notify(run: LaminaRun): void {
    for (const listener of [...(this.listeners.get(run.runId) ?? [])]) listener();
  }

  private start(run: LaminaRun): void {
    run.status = 'running';
    run.startedAt = Date.now();
    this.notify(run);
    this.next(run);
  }

  /** Sets the run's one timer: to its next ready output, or to its end (the last output is ready at the end). */
  private next(run: LaminaRun): void {
    const startedAt = run.startedAt ?? Date.now();
    const running = run.plan.durationMs - run.plan.queuedMs;
    const total = run.outputs.length;
    const ready = run.plan.willFail ? total : run.completedOutputs + 1;
    const delay = startedAt + (running * ready) / Math.max(1, total) - Date.now();
    const step = (): void => {
      if (run.plan.willFail) return this.finish(run, 'failed', SIMULATED_FAILURE_MESSAGE);
      if (ready >= total) return this.finish(run, 'completed', null);
      run.completedOutputs = ready;
      this.notify(run);
      this.next(run);
    };
    this.timers.set(run.runId, this.scheduler.schedule(delay, step));
  }

  private finish(run: LaminaRun, status: LaminaRunStatus, errorMessage: string | null): void {
    this.timers.get(run.runId)?.();
    this.timers.delete(run.runId);
    run.status = status;
    run.errorMessage = errorMessage;
    run.completedAt = Date.now();
    if (status === 'completed') run.completedOutputs = run.outputs.length;
    this.counters.runEnded();
    this.notify(run);
    this.listeners.delete(run.runId);
    this.onTerminal(run);
  }
}
