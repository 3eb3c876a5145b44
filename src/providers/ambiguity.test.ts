import { describe, expect, it } from 'vitest';
import { isSubmitAmbiguous } from './ambiguity.js';
import {
  ProviderAbortedError,
  ProviderConfigError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from './errors.js';

const ctx = { provider: 'lamina' as const, method: 'POST', path: '/v1/apps/a/runs' };

describe('isSubmitAmbiguous', () => {
  it('is false when the provider surely created nothing', () => {
    expect(
      isSubmitAmbiguous(new ProviderNetworkError({ ...ctx, requestSent: false, networkCode: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isSubmitAmbiguous(new ProviderAbortedError({ ...ctx, requestSent: false }))).toBe(false);
    for (const status of [400, 401, 403, 404, 429])
      expect(isSubmitAmbiguous(new ProviderHttpError({ ...ctx, status }))).toBe(false);
    expect(
      isSubmitAmbiguous(new ProviderHttpError({ ...ctx, status: 503, providerCode: 'RESOURCE_UNAVAILABLE' })),
    ).toBe(false);
    // A 503 that asks to come back later (Magnific's errors carry no code).
    expect(isSubmitAmbiguous(new ProviderHttpError({ ...ctx, status: 503, retryAfterSeconds: 5 }))).toBe(false);
    expect(isSubmitAmbiguous(new ProviderConfigError('lamina', 'no key'))).toBe(false);
  });

  it('is true when the start may have reached the provider', () => {
    expect(isSubmitAmbiguous(new ProviderNetworkError({ ...ctx, requestSent: true, networkCode: 'ECONNRESET' }))).toBe(
      true,
    );
    expect(isSubmitAmbiguous(new ProviderAbortedError({ ...ctx, requestSent: true }))).toBe(true);
    expect(isSubmitAmbiguous(new ProviderTimeoutError({ ...ctx, timeoutMs: 30_000 }))).toBe(true);
    expect(
      isSubmitAmbiguous(new ProviderProtocolError({ ...ctx, status: 202, problem: 'field data.runId is missing' })),
    ).toBe(true);
    for (const status of [500, 502, 504])
      expect(isSubmitAmbiguous(new ProviderHttpError({ ...ctx, status }))).toBe(true);
    // A bare 503 (a proxy's, after its backend dropped the request, say) or one with another code.
    expect(isSubmitAmbiguous(new ProviderHttpError({ ...ctx, status: 503 }))).toBe(true);
    expect(isSubmitAmbiguous(new ProviderHttpError({ ...ctx, status: 503, providerCode: 'INTERNAL_ERROR' }))).toBe(
      true,
    );
    expect(isSubmitAmbiguous(new Error('unknown'))).toBe(true);
  });
});
