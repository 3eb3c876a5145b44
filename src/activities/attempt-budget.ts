import type { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';

/** Share of the start-to-close timeout an attempt may use before it stops itself (the rest is for its writes). */
export const ATTEMPT_SHARE = 0.8;
const DEFAULT_START_TO_CLOSE_MS = 30_000;

/**
 * The time one activity attempt gives itself: its signal aborts when Temporal cancels the attempt or when
 * `ATTEMPT_SHARE` of the start-to-close timeout has passed, whichever comes first. Ending before the timeout
 * means the server never schedules a retry while this attempt still runs, so two attempts of one submit never
 * overlap; `cancelledByTemporal` tells the two causes apart (after a cancellation the attempt writes nothing).
 *
 * A worker that is shutting down (SIGTERM, Ctrl-C on `run`) cancels its running activities at once. That is no
 * reason to cut a run-start short: an aborted POST may still have created a run, and its row would then have to
 * reconcile, or end `submit_unknown`. So the attempt ignores that cancellation and ends by its own deadline, at the
 * latest; the worker's shutdown waits for it.
 */
export class AttemptBudget {
  readonly deadline: number;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly temporal: AbortSignal;
  private cancelled = false;
  private shutdown = false;
  private readonly onCancel = () => {
    if (isWorkerShutdown(this.temporal.reason)) {
      this.shutdown = true;
      return;
    }
    this.cancelled = true;
    this.controller.abort(this.temporal.reason);
  };

  constructor(ctx: Pick<Context, 'info' | 'cancellationSignal'>, now = Date.now()) {
    const total = ctx.info.startToCloseTimeoutMs > 0 ? ctx.info.startToCloseTimeoutMs : DEFAULT_START_TO_CLOSE_MS;
    this.deadline = now + Math.floor(total * ATTEMPT_SHARE);
    this.temporal = ctx.cancellationSignal;
    if (this.temporal.aborted) this.onCancel();
    else this.temporal.addEventListener('abort', this.onCancel, { once: true });
    this.timer = setTimeout(
      () => this.controller.abort(new Error('this attempt used its share of the start-to-close timeout')),
      this.deadline - now,
    );
  }

  /** Pass to every request and wait of the attempt. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Temporal cancelled the attempt (not the worker's own shutdown, which the attempt outlives). */
  get cancelledByTemporal(): boolean {
    return this.cancelled;
  }

  /** The worker is shutting down: what is on the wire may finish, but nothing new should start. */
  get stopping(): boolean {
    return this.shutdown;
  }

  /** The attempt's own time is up (and Temporal did not cancel it). */
  get exhausted(): boolean {
    return this.controller.signal.aborted && !this.cancelled;
  }

  remainingMs(now = Date.now()): number {
    return this.deadline - now;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.temporal.removeEventListener('abort', this.onCancel);
  }
}

/** The cancellation the SDK gives running activities when their worker shuts down. */
function isWorkerShutdown(reason: unknown): boolean {
  return reason instanceof CancelledFailure && reason.message === 'WORKER_SHUTDOWN';
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}
