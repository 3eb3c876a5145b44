import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from '../providers/errors.js';
import { isSubmitAmbiguous } from '../providers/ambiguity.js';
import { redactSecrets as redact } from '../providers/redact.js';
import { MAX_PROTOCOL_READ_ERRORS, toActivityFailure } from './failures.js';

const ctx = { provider: 'lamina' as const, method: 'POST', path: '/v1/apps/a/runs' };
const http = (status: number, retryAfterSeconds?: number) =>
  new ProviderHttpError({ ...ctx, status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });

describe('the activity boundary', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes 4xx other than 408 and 429 non-retryable, and 429/503 retryable after Retry-After', () => {
    const rejected = toActivityFailure(http(400), []) as ApplicationFailure;
    expect(rejected.type).toBe('ProviderRejected');
    expect(rejected.nonRetryable).toBe(true);
    expect((toActivityFailure(http(401), []) as ApplicationFailure).type).toBe('ProviderAuth');
    const throttled = toActivityFailure(http(429, 12), []) as ApplicationFailure;
    expect(throttled.type).toBe('ProviderThrottled');
    expect(throttled.nonRetryable).toBe(false);
    expect(throttled.nextRetryDelay).toBe('12s');
    expect((toActivityFailure(http(503), []) as ApplicationFailure).type).toBe('ProviderThrottled');
    expect((toActivityFailure(http(408), []) as ApplicationFailure).nonRetryable).toBe(false);
    expect((toActivityFailure(http(502), []) as ApplicationFailure).type).toBe('ProviderUnavailable');
  });

  it('retries network trouble and fails a protocol violation on a start at once', () => {
    const net = new ProviderNetworkError({ ...ctx, requestSent: true, networkCode: 'ECONNRESET' });
    expect((toActivityFailure(net, []) as ApplicationFailure).nonRetryable).toBe(false);
    const timeout = new ProviderTimeoutError({ ...ctx, timeoutMs: 1000 });
    expect((toActivityFailure(timeout, []) as ApplicationFailure).type).toBe('ProviderUnavailable');
    const protocol = new ProviderProtocolError({ ...ctx, problem: 'missing data.runId' });
    expect((toActivityFailure(protocol, []) as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('retries a garbled answer to a read with growing pauses, then fails the row naming what to do', async () => {
    const garbled = new ProviderProtocolError({
      provider: 'lamina',
      method: 'GET',
      path: '/v1/runs/r1/wait',
      problem: 'body is JSON cut short',
    });
    const classify = (): Promise<ApplicationFailure> =>
      Promise.resolve(toActivityFailure(garbled, []) as ApplicationFailure);
    const env = new MockActivityEnvironment({ activityId: 'wait-garbled' });
    const failures: ApplicationFailure[] = [];
    for (let i = 0; i < MAX_PROTOCOL_READ_ERRORS; i++) {
      failures.push(await env.run<[], ApplicationFailure, typeof classify>(classify));
    }
    expect(failures.map((f) => f.type)).toEqual(failures.map(() => 'ProviderProtocol'));
    expect(failures.map((f) => f.nonRetryable)).toEqual([false, false, false, false, true]);
    expect(failures.slice(0, 4).map((f) => String(f.nextRetryDelay))).toEqual(['500ms', '1000ms', '2000ms', '4000ms']);
    const last = failures.at(-1);
    expect(last?.message).toContain('lamina: GET /v1/runs/r1/wait answered outside its contract');
    expect(last?.message).toContain('5 reads during this wait answered outside the contract one after another');
    expect(last?.message).toContain('durabatch redrive');
    // Another activity (another row) has its own count.
    const other = new MockActivityEnvironment({ activityId: 'wait-other' });
    const first = await other.run<[], ApplicationFailure, typeof classify>(classify);
    expect(first.nonRetryable).toBe(false);
  });

  it('starts counting garbled reads again after a quiet gap, so rare ones in a long wait never fail the row', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const garbled = new ProviderProtocolError({
      provider: 'magnific',
      method: 'GET',
      path: '/v1/ai/apps/runs/r',
      problem: 'x',
    });
    const classify = (): Promise<ApplicationFailure> =>
      Promise.resolve(toActivityFailure(garbled, []) as ApplicationFailure);
    const env = new MockActivityEnvironment({ activityId: 'poll-long' });
    for (let i = 0; i < 10; i++) {
      const failure = await env.run<[], ApplicationFailure, typeof classify>(classify);
      expect(failure.nonRetryable, `garbled read ${i + 1}`).toBe(false);
      expect(String(failure.nextRetryDelay)).toBe('500ms');
      vi.advanceTimersByTime(3 * 60_000);
    }
  });

  it('scrubs secrets from every message that leaves an activity', () => {
    const err = new Error('upstream said: bad key lma_live_0123456789abcdef');
    const mapped = toActivityFailure(err, ['lma_live_0123456789abcdef']) as Error;
    expect(mapped.message).not.toContain('lma_live_0123456789abcdef');
    expect(redact('a SECRET b SECRET', ['SECRET'])).toBe('a [redacted] b [redacted]');
  });
});

describe('submit once', () => {
  it('calls a failed start safe to repeat only when nothing can have been created', () => {
    expect(
      !isSubmitAmbiguous(new ProviderNetworkError({ ...ctx, requestSent: false, networkCode: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(!isSubmitAmbiguous(new ProviderNetworkError({ ...ctx, requestSent: true, networkCode: 'ECONNRESET' }))).toBe(
      false,
    );
    expect(!isSubmitAmbiguous(http(429))).toBe(true);
    expect(!isSubmitAmbiguous(http(503))).toBe(false);
    expect(!isSubmitAmbiguous(http(400))).toBe(true);
    for (const status of [500, 502, 504, 408]) expect(!isSubmitAmbiguous(http(status)), String(status)).toBe(false);
    expect(!isSubmitAmbiguous(new ProviderTimeoutError({ ...ctx, timeoutMs: 1 }))).toBe(false);
    expect(!isSubmitAmbiguous(new ProviderProtocolError({ ...ctx, problem: 'truncated' }))).toBe(false);
    expect(!isSubmitAmbiguous(new Error('unknown'))).toBe(false);
  });
});
