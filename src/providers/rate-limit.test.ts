import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sharedTokenBucket, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Starts `n` takes and records when each resolves (fake clock) or how it failed. */
  const startTakes = (bucket: TokenBucket, n: number, signal?: AbortSignal) => {
    const done: number[] = [];
    const failed: unknown[] = [];
    for (let i = 0; i < n; i++) {
      bucket.take(signal).then(
        () => done.push(Date.now()),
        (err: unknown) => failed.push(err),
      );
    }
    return { done, failed };
  };

  it('lets a burst of `capacity` through at once and delays the rest instead of failing them', async () => {
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 10 });
    const { done, failed } = startTakes(bucket, 25);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(5);
    expect(bucket.waiting).toBe(20);
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toHaveLength(15);
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toHaveLength(25);
    expect(failed).toEqual([]);
    expect(bucket.waiting).toBe(0);
  });

  it('keeps any window of T seconds within capacity + rate × T', async () => {
    const bucket = new TokenBucket({ capacity: 50, refillPerSecond: 9.5 });
    const { done } = startTakes(bucket, 1500);
    await vi.advanceTimersByTimeAsync(160_000);
    expect(done).toHaveLength(1500);
    for (const windowMs of [1000, 5000, 120_000]) {
      let worst = 0;
      for (let i = 0, j = 0; j < done.length; j++) {
        while ((done[j] ?? 0) - (done[i] ?? 0) >= windowMs) i++;
        worst = Math.max(worst, j - i + 1);
      }
      expect(worst).toBeLessThanOrEqual(Math.floor(50 + (9.5 * windowMs) / 1000) + 1);
    }
    // The 2-minute average stays under Magnific's 10 requests/s.
    expect(done.filter((t) => t < 120_000).length).toBeLessThanOrEqual(1200);
  });

  it('serves waiters in arrival order', async () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 });
    const order: number[] = [];
    for (const n of [1, 2, 3]) void bucket.take().then(() => order.push(n));
    await vi.advanceTimersByTimeAsync(2000);
    expect(order).toEqual([1, 2, 3]);
  });

  it('rejects a waiter whose signal aborts, gives its turn to the next, and refuses an aborted signal', async () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 });
    await bucket.take();
    const controller = new AbortController();
    const aborted = startTakes(bucket, 1, controller.signal);
    const next = startTakes(bucket, 1);
    controller.abort(new Error('activity cancelled'));
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted.failed).toEqual([new Error('activity cancelled')]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(next.done).toEqual([1000]);
    await expect(bucket.take(controller.signal)).rejects.toThrow('activity cancelled');
  });

  it('pause() empties the bucket and holds everyone until it ends', async () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 10 });
    bucket.pause(5000);
    expect(bucket.available).toBe(0);
    const { done } = startTakes(bucket, 2);
    await vi.advanceTimersByTimeAsync(4999);
    expect(done).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toHaveLength(2);
    expect(done[0]).toBeGreaterThanOrEqual(5000);
    bucket.pause(1000);
    bucket.pause(10); // never shortens a pause
    const later = startTakes(bucket, 1);
    await vi.advanceTimersByTimeAsync(900);
    expect(later.done).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(later.done).toHaveLength(1);
  });

  it('refills up to capacity only', async () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 100 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bucket.available).toBe(3);
  });

  it('rejects nonsense settings', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: Number.NaN, refillPerSecond: 1 })).toThrow(RangeError);
  });

  it('shares one bucket per id across the process', () => {
    const a = sharedTokenBucket('test:a', { capacity: 2, refillPerSecond: 1 });
    expect(sharedTokenBucket('test:a', { capacity: 99, refillPerSecond: 99 })).toBe(a);
    expect(sharedTokenBucket('test:b', { capacity: 2, refillPerSecond: 1 })).not.toBe(a);
  });
});
