import type { CounterStore } from './counters.js';
import { inputFingerprint } from './fingerprint.js';
import type { Scheduler } from './scheduler.js';

/**
 * The provider-neutral half of a run store (Artu and Magnific use it): counts created runs, holds each live run's
 * one lifecycle timer on the shared scheduler, keeps the active-runs gauge, and wakes requests that wait for a run
 * to change. Waiters are woken by transitions, never by polling.
 */
export class LiveRuns {
  private readonly timers = new Map<string, () => void>();
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly counters: CounterStore,
  ) {}

  /** Counts a new run under `${provider}:${appId}` and its input fingerprint; it is active until ended(). */
  created(provider: string, appId: string, inputs: Record<string, unknown>): void {
    this.counters.runCreated(provider, appId, inputFingerprint(provider, appId, inputs));
  }

  /** Runs `fn` after `ms`, replacing the run's pending timer. */
  after(runId: string, ms: number, fn: () => void): void {
    this.timers.get(runId)?.();
    const cancel = this.scheduler.schedule(ms, () => {
      this.timers.delete(runId);
      fn();
    });
    this.timers.set(runId, cancel);
  }

  /** The run changed state without ending (e.g. it now waits for input): wakes its waiters to re-check. */
  changed(runId: string): void {
    for (const wake of [...(this.watchers.get(runId) ?? [])]) wake();
  }

  /** The run reached a terminal state: cancels its timer, lowers the gauge and wakes its waiters. Call once. */
  ended(runId: string): void {
    this.timers.get(runId)?.();
    this.timers.delete(runId);
    this.counters.runEnded();
    this.changed(runId);
  }

  /**
   * Resolves true as soon as `done()` holds (checked now and after each change of the run), or false after `ms`
   * or when `signal` aborts; cleans up either way.
   */
  waitUntil(runId: string, done: () => boolean, ms: number, signal: AbortSignal): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const set = this.watchers.get(runId) ?? new Set<() => void>();
      this.watchers.set(runId, set);
      let settled = false;
      const finish = (result: boolean): void => {
        if (settled) return;
        settled = true;
        set.delete(check);
        if (set.size === 0) this.watchers.delete(runId);
        cancelTimer();
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const check = (): void => {
        if (done()) finish(true);
      };
      const onAbort = (): void => finish(false);
      const cancelTimer = this.scheduler.schedule(ms, () => finish(false));
      set.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) finish(false);
    });
  }
}
