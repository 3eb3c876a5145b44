import type { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from '../providers/errors.js';
import { isSubmitAmbiguous } from '../providers/ambiguity.js';
import { redact, toActivityFailure } from './failures.js';

const ctx = { provider: 'lamina' as const, method: 'POST', path: '/v1/apps/a/runs' };
const http = (status: number, retryAfterSeconds?: number) =>
  new ProviderHttpError({ ...ctx, status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });

describe('the activity boundary', () => {
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

  it('retries network trouble and fails protocol violations at once', () => {
    const net = new ProviderNetworkError({ ...ctx, requestSent: true, networkCode: 'ECONNRESET' });
    expect((toActivityFailure(net, []) as ApplicationFailure).nonRetryable).toBe(false);
    const timeout = new ProviderTimeoutError({ ...ctx, timeoutMs: 1000 });
    expect((toActivityFailure(timeout, []) as ApplicationFailure).type).toBe('ProviderUnavailable');
    const protocol = new ProviderProtocolError({ ...ctx, problem: 'missing data.runId' });
    expect((toActivityFailure(protocol, []) as ApplicationFailure).nonRetryable).toBe(true);
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
    expect(!isSubmitAmbiguous(http(503))).toBe(true);
    expect(!isSubmitAmbiguous(http(400))).toBe(true);
    for (const status of [500, 502, 504, 408]) expect(!isSubmitAmbiguous(http(status)), String(status)).toBe(false);
    expect(!isSubmitAmbiguous(new ProviderTimeoutError({ ...ctx, timeoutMs: 1 }))).toBe(false);
    expect(!isSubmitAmbiguous(new ProviderProtocolError({ ...ctx, problem: 'truncated' }))).toBe(false);
    expect(!isSubmitAmbiguous(new Error('unknown'))).toBe(false);
  });
});
