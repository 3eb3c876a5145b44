import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARTU_DEFAULT_BASE_URL,
  createAdapter,
  MAGNIFIC_DEFAULT_BASE_URL,
  MAGNIFIC_POLL_INTERVAL_MS,
  ProviderConfigError,
  TokenBucket,
} from './index.js';

const ARTU_KEY = 'artu_env_secret_777';
const MAGNIFIC_KEY = 'mgn_env_secret_888';
const artuRun = { id: 'e1', status: 'running', error: null, createdAt: '2026-01-01T00:00:00Z' };
const magnificRun = { data: { run_id: 'r1', status: 'pending' } };

/** The ProviderConfigError createAdapter throws for this environment (fails the test when none is thrown). */
function configError(provider: 'artu' | 'magnific', env: NodeJS.ProcessEnv): ProviderConfigError {
  try {
    createAdapter(provider, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderConfigError);
    return e as ProviderConfigError;
  }
  throw new Error('expected a ProviderConfigError');
}

describe('createAdapter for Artu and Magnific', () => {
  let mock: MockAgent;
  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('says which Artu variable to set: the key, then the environment', () => {
    expect(configError('artu', { ARTU_ENVIRONMENT: 'test' })).toMatchObject({ variable: 'ARTU_API_KEY' });
    const missing = configError('artu', { ARTU_API_KEY: ARTU_KEY, ARTU_ENVIRONMENT: ' ' });
    expect(missing).toMatchObject({ code: 'PROVIDER_CONFIG', variable: 'ARTU_ENVIRONMENT' });
    expect(missing.message).toBe(
      "artu: ARTU_ENVIRONMENT is not set: set it to 'test' or 'live' in the environment of the worker process",
    );
  });

  it('refuses an ARTU_ENVIRONMENT other than test or live without echoing it', () => {
    for (const value of ['prod', ARTU_KEY]) {
      const err = configError('artu', { ARTU_API_KEY: ARTU_KEY, ARTU_ENVIRONMENT: value });
      expect(err).toMatchObject({ variable: 'ARTU_ENVIRONMENT' });
      expect(err.message).toBe("artu: ARTU_ENVIRONMENT must be 'test' or 'live'");
      expect(JSON.stringify(err) + err.message + String(err.stack)).not.toContain(ARTU_KEY);
    }
  });

  it('builds Artu from the environment: public host, both headers, default trigger type', async () => {
    mock
      .get(ARTU_DEFAULT_BASE_URL)
      .intercept({
        path: '/workflows/wf-1/trigger',
        method: 'POST',
        headers: { authorization: `Bearer ${ARTU_KEY}`, 'x-environment': 'live' },
        body: JSON.stringify({ triggerType: 'manual', inputs: {} }),
      })
      .reply(200, { executionId: 'e1', status: 'queued' });
    const artu = createAdapter('artu', { ARTU_API_KEY: ARTU_KEY, ARTU_ENVIRONMENT: ' Live ' }, { dispatcher: mock });
    expect(artu).toMatchObject({ provider: 'artu', waitMode: 'long-poll' });
    await expect(artu.startRun('wf-1', {})).resolves.toMatchObject({ runId: 'e1' });
  });

  it('uses ARTU_BASE_URL and ARTU_TRIGGER_TYPE', async () => {
    mock
      .get('http://sim.test')
      .intercept({
        path: '/artu/workflows/wf-1/trigger',
        method: 'POST',
        body: JSON.stringify({ triggerType: 'api', inputs: {} }),
      })
      .reply(200, { executionId: 'e1' });
    mock.get('http://sim.test').intercept({ path: '/artu/workflows/executions/e1', method: 'GET' }).reply(200, artuRun);
    const env = {
      ARTU_API_KEY: ARTU_KEY,
      ARTU_ENVIRONMENT: 'test',
      ARTU_BASE_URL: 'http://sim.test/artu/',
      ARTU_TRIGGER_TYPE: 'api',
    };
    const artu = createAdapter('artu', env, { dispatcher: mock });
    expect((await artu.startRun('wf-1', {})).runId).toBe('e1');
    await expect(artu.getRun('e1')).resolves.toMatchObject({ state: 'running' });
  });

  it('says which Magnific variable to set, and refuses a bad key header name', () => {
    expect(configError('magnific', {})).toMatchObject({ variable: 'MAGNIFIC_API_KEY' });
    const env = { MAGNIFIC_API_KEY: MAGNIFIC_KEY, MAGNIFIC_API_KEY_HEADER: `x-key: ${MAGNIFIC_KEY}` };
    const err = configError('magnific', env);
    expect(err).toMatchObject({ variable: 'MAGNIFIC_API_KEY_HEADER' });
    expect(err.message).toBe(
      'magnific: MAGNIFIC_API_KEY_HEADER must be a header name such as x-magnific-api-key or x-freepik-api-key',
    );
    expect(JSON.stringify(err) + err.message).not.toContain(MAGNIFIC_KEY);
    const badUrl = configError('magnific', { MAGNIFIC_API_KEY: MAGNIFIC_KEY, MAGNIFIC_BASE_URL: 'not a url' });
    expect(badUrl).toMatchObject({ variable: 'MAGNIFIC_BASE_URL' });
  });

  it('builds Magnific from the environment: public host and default header, or the Freepik host and header', async () => {
    mock
      .get(MAGNIFIC_DEFAULT_BASE_URL)
      .intercept({ path: '/v1/ai/apps/runs/r1', method: 'GET', headers: { 'x-magnific-api-key': MAGNIFIC_KEY } })
      .reply(200, magnificRun);
    const magnific = createAdapter('magnific', { MAGNIFIC_API_KEY: MAGNIFIC_KEY }, { dispatcher: mock });
    expect(magnific).toMatchObject({
      provider: 'magnific',
      waitMode: 'poll',
      pollIntervalMs: MAGNIFIC_POLL_INTERVAL_MS,
    });
    await expect(magnific.getRun('r1')).resolves.toMatchObject({ state: 'queued' });

    mock
      .get('https://api.freepik.com')
      .intercept({ path: '/v1/ai/apps/runs/r1', method: 'GET', headers: { 'x-freepik-api-key': MAGNIFIC_KEY } })
      .reply(200, magnificRun);
    const env = {
      MAGNIFIC_API_KEY: MAGNIFIC_KEY,
      MAGNIFIC_BASE_URL: 'https://api.freepik.com',
      MAGNIFIC_API_KEY_HEADER: 'x-freepik-api-key',
    };
    const freepik = createAdapter('magnific', env, {
      dispatcher: mock,
      rateLimit: new TokenBucket({ capacity: 1, refillPerSecond: 1 }),
    });
    await expect(freepik.getRun('r1')).resolves.toMatchObject({ state: 'queued' });
  });
});
