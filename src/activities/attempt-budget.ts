import type { Context } from '@temporalio/activity';

/** Share of the start-to-close timeout an attempt may use before it stops itself (the rest is for its writes). */
export const ATTEMPT_SHARE = 0.8;
const DEFAULT_START_TO_CLOSE_MS = 30_000;

/**
 * The time one activity attempt gives itself: its signal aborts when Temporal cancels the attempt or when
 * `ATTEMPT_SHARE` of the start-to-close timeout has passed, whichever comes first. Ending before the timeout
 * means the server never schedules a retry while this attempt still runs, so two attempts of one submit never
 * overlap; `cancelledByTemporal` tells the two causes apart (after a cancellation the attempt writes nothing).
 */
export class AttemptBudget {
  readonly deadline: number;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly temporal: AbortSignal;
  private readonly onCancel = () => this.controller.abort(this.temporal.reason);

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

  get cancelledByTemporal(): boolean {
    return this.temporal.aborted;
  }

  /** The attempt's own time is up (and Temporal did not cancel it). */
  get exhausted(): boolean {
    return this.controller.signal.aborted && !this.temporal.aborted;
  }

  remainingMs(now = Date.now()): number {
    return this.deadline - now;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.temporal.removeEventListener('abort', this.onCancel);
  }
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
