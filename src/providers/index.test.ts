import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdapter, LAMINA_DEFAULT_BASE_URL, ProviderConfigError } from './index.js';

const KEY = 'lma_env_secret_999';
const run = { data: { runId: 'r1', status: 'queued', outputs: [] } };

describe('createAdapter', () => {
  let mock: MockAgent;
  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('says which variable to set when the Lamina key is missing or blank', () => {
    for (const env of [{}, { LAMINA_API_KEY: '  ' }]) {
      const err = (() => {
        try {
          createAdapter('lamina', env);
        } catch (e) {
          return e;
        }
      })() as ProviderConfigError;
      expect(err).toBeInstanceOf(ProviderConfigError);
      expect(err).toMatchObject({ name: 'ProviderConfigError', code: 'PROVIDER_CONFIG', variable: 'LAMINA_API_KEY' });
      expect(err.message).toMatch(
        /^lamina: LAMINA_API_KEY is not set: set it in the environment of the worker process/,
      );
    }
  });

  it('rejects a bad base URL without echoing its value', () => {
    const env = { LAMINA_API_KEY: KEY, LAMINA_BASE_URL: `ftp://user:${KEY}@host` };
    expect(() => createAdapter('lamina', env)).toThrow(ProviderConfigError);
    expect(() => createAdapter('lamina', env)).toThrow(/^lamina: LAMINA_BASE_URL must be an http\(s\) URL/);
    try {
      createAdapter('lamina', env);
    } catch (e) {
      expect(JSON.stringify(e) + (e as Error).message).not.toContain(KEY);
    }
  });

  it('uses LAMINA_BASE_URL with its path prefix and without trailing slashes', async () => {
    mock
      .get('http://sim.test')
      .intercept({ path: '/lamina/v1/runs/r1', method: 'GET', headers: { 'x-api-key': KEY } })
      .reply(200, run);
    const lamina = createAdapter(
      'lamina',
      { LAMINA_API_KEY: ` ${KEY}\n`, LAMINA_BASE_URL: 'http://sim.test/lamina//' },
      { dispatcher: mock },
    );
    expect(lamina.provider).toBe('lamina');
    await expect(lamina.getRun('r1')).resolves.toMatchObject({ runId: 'r1', state: 'queued' });
  });

  it('defaults to the public Lamina host', async () => {
    mock.get(LAMINA_DEFAULT_BASE_URL).intercept({ path: '/v1/runs/r1', method: 'GET' }).reply(200, run);
    await expect(
      createAdapter('lamina', { LAMINA_API_KEY: KEY }, { dispatcher: mock }).getRun('r1'),
    ).resolves.toBeTruthy();
  });
});
