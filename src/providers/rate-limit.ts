/**
 * A process-wide request budget for providers with published rate limits (Magnific). Requests over the budget are
 * delayed, never failed: every row of every batch in the worker draws from the same bucket, so hundreds of polling
 * rows slow down together instead of earning 429s.
 */

/** Settings of a TokenBucket. */
export interface TokenBucketOptions {
  /** Tokens the bucket holds when full: the largest burst after a quiet spell. */
  capacity: number;
  /** Tokens added per second: the long-run request rate. */
  refillPerSecond: number;
  /** Clock in milliseconds; Date.now by default (so fake timers drive it in tests). */
  now?: () => number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A token bucket with a FIFO queue: `take()` resolves at once while a token is left and otherwise waits its turn,
 * so any interval of T seconds sees at most `capacity + refillPerSecond * T` requests. `pause()` empties the bucket
 * for a while (a 429 with Retry-After) and holds every waiter until then.
 */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  private readonly now: () => number;
  private tokens: number;
  /** The moment `tokens` was last brought up to date; in the future while paused (no refill before it). */
  private updatedAt: number;
  private readonly queue: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1) || !Number.isFinite(options.capacity)) {
      throw new RangeError('TokenBucket capacity must be a finite number >= 1');
    }
    if (!(options.refillPerSecond > 0) || !Number.isFinite(options.refillPerSecond)) {
      throw new RangeError('TokenBucket refillPerSecond must be a finite number > 0');
    }
    this.capacity = options.capacity;
    this.refillPerSecond = options.refillPerSecond;
    this.now = options.now ?? (() => Date.now());
    this.tokens = options.capacity;
    this.updatedAt = this.now();
  }

  /** Tokens available right now (whole or not); 0 while paused. */
  get available(): number {
    this.refill();
    return this.updatedAt > this.now() ? 0 : this.tokens;
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Waits until a token is free and takes it. Rejects only when `signal` aborts first (with the signal's reason);
   * the caller then sends nothing and its place in the queue goes to the next waiter.
   */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.refill();
    if (this.queue.length === 0 && this.updatedAt <= this.now() && this.tokens >= 1) {
      this.tokens -= 1;
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: () => this.abort(waiter) };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.schedule();
    });
  }

  /** Empties the bucket and lets nothing through for `ms` (e.g. the provider's Retry-After); never shortens a pause. */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    this.refill();
    this.tokens = 0;
    this.updatedAt = Math.max(this.updatedAt, this.now() + ms);
    this.schedule();
  }

  private refill(): void {
    const now = this.now();
    if (now <= this.updatedAt) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.refillPerSecond) / 1000);
    this.updatedAt = now;
  }

  /** Hands out tokens to waiters in order, then sets one timer for the moment the next token is due. */
  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.refill();
    while (this.queue.length > 0 && this.updatedAt <= this.now() && this.tokens >= 1) {
      this.tokens -= 1;
      const waiter = this.queue.shift();
      waiter?.signal?.removeEventListener('abort', waiter.onAbort);
      waiter?.resolve();
    }
    if (this.queue.length === 0) return;
    const dueAt = this.updatedAt + ((1 - this.tokens) * 1000) / this.refillPerSecond;
    this.timer = setTimeout(() => this.schedule(), Math.max(1, Math.ceil(dueAt - this.now())));
  }

  private abort(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index < 0) return;
    this.queue.splice(index, 1);
    waiter.reject(waiter.signal?.reason);
    this.schedule();
  }
}

const sharedBuckets = new Map<string, TokenBucket>();

/**
 * The one bucket of this process for `id` (e.g. provider, base URL and a hash of the key), created with `options`
 * on first use: adapters built twice for the same account (validation and worker in one process) share a budget.
 */
export function sharedTokenBucket(id: string, options: TokenBucketOptions): TokenBucket {
  let bucket = sharedBuckets.get(id);
  if (!bucket) sharedBuckets.set(id, (bucket = new TokenBucket(options)));
  return bucket;
}
