/**
 * Owns every timer the simulator sets (run lifecycles, waits, slow faults), so that close() can clear them all and
 * a test process never hangs on a forgotten timeout.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Runs `fn` after `ms`; returns a function that cancels it. Does nothing once closed. */
  schedule(ms: number, fn: () => void): () => void {
    if (this.closed) return () => undefined;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Resolves true after `ms`, or false as soon as `signal` aborts (or at once when closed). */
  sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closed || signal.aborted) return resolve(false);
      const onAbort = (): void => {
        cancel();
        resolve(false);
      };
      const cancel = this.schedule(ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of pending timers (for tests). */
  get pending(): number {
    return this.timers.size;
  }

  /** Clears every pending timer and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
