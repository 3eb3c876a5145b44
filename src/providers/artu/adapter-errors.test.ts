import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArtuAdapter } from './adapter.js';
import { ProviderConfigError, ProviderHttpError, ProviderProtocolError } from '../errors.js';
import type { ProviderAdapter } from '../types.js';

const KEY = 'artu_unit_secret_0123456789';
const ORIGIN = 'https://artu.test';

describe('Artu adapter errors', () => {
  let mock: MockAgent;
  let artu: ProviderAdapter;
  const pool = () => mock.get(ORIGIN);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => new Error('expected a failure'),
      (e: unknown) => e as Error,
    );

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
    artu = createArtuAdapter({ apiKey: KEY, environment: 'test', baseUrl: ORIGIN, dispatcher: mock });
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('refuses an empty key or an environment other than test or live, without echoing values', () => {
    const blank = () => createArtuAdapter({ apiKey: ' ', environment: 'test', baseUrl: ORIGIN });
    expect(blank).toThrow(ProviderConfigError);
    expect(blank).toThrow('artu: the API key is empty: set ARTU_API_KEY');
    const bad = () => createArtuAdapter({ apiKey: KEY, environment: KEY as 'test', baseUrl: ORIGIN });
    expect(bad).toThrow("artu: the environment must be 'test' or 'live'");
  });

  it('names the field when a trigger answer has no execution id, with Artu’s reason when it gave one', async () => {
    pool().intercept({ path: '/workflows/wf-1/trigger', method: 'POST' }).reply(200, { ok: true, status: 'queued' });
    let err = await failure(artu.startRun('wf-1', {}));
    expect(err).toBeInstanceOf(ProviderProtocolError);
    expect(err.message).toBe(
      'artu: POST /workflows/wf-1/trigger answered outside its contract: field executionId is missing',
    );
    pool()
      .intercept({ path: '/workflows/wf-1/trigger', method: 'POST' })
      .reply(200, { ok: false, error: `Input "prompt" is required (key ${KEY})` });
    err = await failure(artu.startRun('wf-1', {}));
    expect(err).toBeInstanceOf(ProviderProtocolError);
    expect(err.message).toBe(
      'artu: POST /workflows/wf-1/trigger answered outside its contract: field executionId is missing ' +
        '(ok: false: Input "prompt" is required (key [redacted]))',
    );
    expect((err as ProviderProtocolError).status).toBe(200);
  });

  it('names the endpoint and field of a missing id or an unknown status', async () => {
    const path = '/workflows/executions/e1';
    pool().intercept({ path, method: 'GET' }).reply(200, { status: 'running' });
    expect((await failure(artu.getRun('e1'))).message).toBe(
      `artu: GET ${path} answered outside its contract: field id is missing`,
    );
    pool().intercept({ path, method: 'GET' }).reply(200, { id: 'e1', status: 'paused' });
    expect((await failure(artu.getRun('e1'))).message).toMatch(
      new RegExp(`^artu: GET ${path} answered outside its contract: field status is invalid: .*\\(got "paused"\\)$`),
    );
  });

  it("reads Artu's {message, code} error body and keeps the key out of message and JSON", async () => {
    pool()
      .intercept({ path: '/workflows/executions/e1', method: 'GET' })
      .reply(401, { message: `Invalid API key ${KEY}`, code: 'UNAUTHORIZED' }, { headers: { 'retry-after': '3' } });
    const err = await failure(artu.getRun('e1'));
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.message).toBe(
      'artu: GET /workflows/executions/e1 failed with 401 UNAUTHORIZED (retry after 3 s): Invalid API key [redacted]',
    );
    expect(JSON.stringify(err) + err.message + String(err.stack)).not.toContain(KEY);
  });
});
