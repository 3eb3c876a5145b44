import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSubmitAmbiguous } from '../ambiguity.js';
import { ProviderAbortedError, ProviderConfigError, ProviderHttpError, ProviderProtocolError } from '../errors.js';
import { createMagnificAdapter } from './adapter.js';
import { TokenBucket } from '../rate-limit.js';
import type { ProviderAdapter } from '../types.js';

const KEY = 'mgn_unit_secret_abcdef012345';
const ORIGIN = 'https://magnific.test';
const RUN_PATH = '/v1/ai/apps/runs/r1';

describe('Magnific adapter errors', () => {
  let mock: MockAgent;
  let bucket: TokenBucket;
  let magnific: ProviderAdapter;
  const pool = () => mock.get(ORIGIN);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => new Error('expected a failure'),
      (e: unknown) => e as Error,
    );
  const runBody = (data: Record<string, unknown>) => ({ data: { run_id: 'r1', status: 'completed', ...data } });

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
    bucket = new TokenBucket({ capacity: 10, refillPerSecond: 10 });
    magnific = createMagnificAdapter({ apiKey: KEY, baseUrl: ORIGIN, dispatcher: mock, rateLimit: bucket });
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('refuses an empty key or an unusable header name, without echoing values', () => {
    expect(() => createMagnificAdapter({ apiKey: '', baseUrl: ORIGIN })).toThrow(
      'magnific: the API key is empty: set MAGNIFIC_API_KEY',
    );
    const bad = () => createMagnificAdapter({ apiKey: KEY, baseUrl: ORIGIN, apiKeyHeader: `x: ${KEY}` });
    expect(bad).toThrow(ProviderConfigError);
    expect(bad).toThrow('magnific: the API key header name is not a valid header name');
  });

  it('names the field when a start answer has no run identifier, and calls that ambiguous', async () => {
    pool().intercept({ path: '/v1/ai/apps/a/run', method: 'POST' }).reply(202, { status: 'running' });
    const err = await failure(magnific.startRun('a', {}));
    expect(err).toBeInstanceOf(ProviderProtocolError);
    expect(err.message).toBe(
      'magnific: POST /v1/ai/apps/a/run answered outside its contract: field workflow_run_identifier is missing',
    );
    expect(isSubmitAmbiguous(err)).toBe(true);
  });

  it('names the field of a missing asset URL, a completed run without result, and an unknown status', async () => {
    const problems: [object, string][] = [
      [runBody({ result: { images: [{ id: 'i1' }] } }), 'field data.result.images.0.url is missing'],
      [runBody({ result: null }), 'field data.result is missing on a completed run'],
      [runBody({ status: 'exploded' }), 'field data.status is invalid'],
    ];
    for (const [body, problem] of problems) {
      pool().intercept({ path: RUN_PATH, method: 'GET' }).reply(200, body);
      const err = await failure(magnific.getRun('r1'));
      expect(err).toBeInstanceOf(ProviderProtocolError);
      expect(err.message).toContain(`magnific: GET ${RUN_PATH} answered outside its contract: ${problem}`);
    }
  });

  it('sends nothing when aborted while waiting for a token', async () => {
    const slow = new TokenBucket({ capacity: 1, refillPerSecond: 0.001 });
    const limited = createMagnificAdapter({ apiKey: KEY, baseUrl: ORIGIN, dispatcher: mock, rateLimit: slow });
    pool()
      .intercept({ path: RUN_PATH, method: 'GET' })
      .reply(200, runBody({ result: {} }));
    await limited.getRun('r1');
    const controller = new AbortController();
    const pending = failure(limited.getRun('r1', { signal: controller.signal }));
    await new Promise((r) => setImmediate(r));
    expect(slow.waiting).toBe(1);
    controller.abort(new Error(`cancelled ${KEY}`));
    const err = await pending;
    expect(err).toBeInstanceOf(ProviderAbortedError);
    expect(err).toMatchObject({ requestSent: false, path: RUN_PATH, method: 'GET' });
    expect(isSubmitAmbiguous(err)).toBe(false);
    expect(JSON.stringify(err) + String((err.cause as Error).message)).not.toContain(KEY);
  });

  it("pauses the whole bucket on a 429 and reads Magnific's {message} body without the key", async () => {
    pool()
      .intercept({ path: RUN_PATH, method: 'GET' })
      .reply(429, { message: `Rate limit exceeded for ${KEY}` }, { headers: { 'retry-after': '30' } });
    const err = await failure(magnific.getRun('r1'));
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.message).toBe(
      `magnific: GET ${RUN_PATH} failed with 429 (retry after 30 s): Rate limit exceeded for [redacted]`,
    );
    expect(JSON.stringify(err) + String(err.stack)).not.toContain(KEY);
    expect(bucket.available).toBe(0);
  });
});
