import { generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLaminaKeySource, createLaminaVerifier, signLaminaWebhook, verifyLaminaWebhook } from './lamina.js';
import type { WebhookKeySource } from './lamina.js';
import type { WebhookRequest } from './verify.js';

const API_KEY = 'lma_webhook_unit_secret_42';
const ORIGIN = 'https://lamina.test';
const NOW_MS = 1_767_225_600_000;
const NOW_S = NOW_MS / 1000;

const pair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'EdDSA' } as JsonWebKey };
};
const signer = pair();
const stranger = pair();

const body = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ data: { runId: 'run-1', workflowId: 'wf', status: 'completed', outputs: [], ...over } });
const signed = (raw = body(), opts: { key?: typeof signer; runId?: string; at?: number } = {}): WebhookRequest => ({
  headers: signLaminaWebhook((opts.key ?? signer).privateKey, raw, opts.runId ?? 'run-1', opts.at ?? NOW_S),
  body: Buffer.from(raw),
});

describe('verifyLaminaWebhook', () => {
  it('accepts a webhook signed by a served key and reads a final event', () => {
    expect(verifyLaminaWebhook(signed(), [stranger.jwk, signer.jwk], NOW_MS)).toEqual({
      ok: true,
      event: { provider: 'lamina', runId: 'run-1', kind: 'final', status: 'completed' },
    });
    const running = verifyLaminaWebhook(signed(body({ status: 'running' })), [signer.jwk], NOW_MS);
    expect(running.ok && running.event.kind).toBe('progress');
  });

  it('refuses a forged signature, another key, and a body changed after signing', () => {
    const forged = signed();
    forged.headers['x-lamina-webhook-signature'] = 'ab'.repeat(64);
    const tampered = { ...signed(), body: Buffer.from(body({ status: 'failed' })) };
    for (const req of [forged, signed(body(), { key: stranger }), tampered]) {
      expect(verifyLaminaWebhook(req, [signer.jwk], NOW_MS)).toMatchObject({
        ok: false,
        status: 401,
        badSignature: true,
      });
    }
    const short = signed();
    short.headers['x-lamina-webhook-signature'] = 'abc';
    expect(verifyLaminaWebhook(short, [signer.jwk], NOW_MS)).toMatchObject({ status: 401 });
  });

  it('refuses timestamps more than 300 s in the past or the future, and accepts them at 300 s', () => {
    for (const at of [NOW_S - 301, NOW_S + 301]) {
      expect(verifyLaminaWebhook(signed(body(), { at }), [signer.jwk], NOW_MS)).toMatchObject({ status: 401 });
    }
    for (const at of [NOW_S - 300, NOW_S + 300]) {
      expect(verifyLaminaWebhook(signed(body(), { at }), [signer.jwk], NOW_MS).ok).toBe(true);
    }
  });

  it('refuses a Request-Id that differs from data.runId, missing headers and a body that is not an envelope', () => {
    expect(verifyLaminaWebhook(signed(body(), { runId: 'run-2' }), [signer.jwk], NOW_MS)).toMatchObject({
      status: 400,
      reason: 'X-Lamina-Webhook-Request-Id differs from data.runId',
    });
    for (const name of ['x-lamina-webhook-signature', 'x-lamina-webhook-timestamp', 'x-lamina-webhook-request-id']) {
      const req = signed();
      delete req.headers[name];
      expect(verifyLaminaWebhook(req, [signer.jwk], NOW_MS)).toMatchObject({ status: 400 });
    }
    const bare = JSON.stringify({ runId: 'run-1', status: 'completed' });
    expect(verifyLaminaWebhook(signed(bare), [signer.jwk], NOW_MS)).toMatchObject({ status: 400 });
    expect(verifyLaminaWebhook(signed('not json'), [signer.jwk], NOW_MS)).toMatchObject({ status: 400 });
  });
});

describe('createLaminaKeySource', () => {
  let mock: MockAgent;
  let now: number;
  let source: WebhookKeySource;
  const serve = (times: number, keys: JsonWebKey[] = [signer.jwk]) =>
    mock
      .get(ORIGIN)
      .intercept({ path: '/v1/webhooks/signing-key', method: 'GET', headers: { 'x-api-key': API_KEY } })
      .reply(200, JSON.stringify({ keys }))
      .times(times);
  const fail = (status = 503) =>
    mock
      .get(ORIGIN)
      .intercept({ path: '/v1/webhooks/signing-key', method: 'GET' })
      .reply(status, JSON.stringify({ error: `down ${API_KEY}`, code: 'RESOURCE_UNAVAILABLE' }));

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
    now = NOW_MS;
    source = createLaminaKeySource({
      baseUrl: `${ORIGIN}/`,
      apiKey: API_KEY,
      ttlMs: 600_000,
      dispatcher: mock,
      now: () => now,
    });
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('fetches the keys once for concurrent callers and serves them from cache until the TTL ends', async () => {
    serve(1, [signer.jwk, { kty: 'RSA', n: 'x', e: 'AQAB' }]);
    const [a, b] = await Promise.all([source.getKeys({ refresh: false }), source.getKeys({ refresh: false })]);
    expect(a).toEqual([signer.jwk]);
    expect(b).toBe(a);
    now += 599_000;
    expect(await source.getKeys({ refresh: false })).toBe(a);
    serve(1, [stranger.jwk]);
    now += 2_000;
    expect(await source.getKeys({ refresh: false })).toEqual([stranger.jwk]);
  });

  it('refetches on request at most once a minute', async () => {
    serve(2);
    const first = await source.getKeys({ refresh: false });
    expect(await source.getKeys({ refresh: true })).toBe(first);
    now += 60_000;
    const second = await source.getKeys({ refresh: true });
    expect(second).not.toBe(first);
  });

  it('keeps stale keys when a refetch fails, but a refresh fails loudly and never with the key', async () => {
    serve(1);
    const first = await source.getKeys({ refresh: false });
    now += 700_000;
    fail();
    expect(await source.getKeys({ refresh: false })).toBe(first);
    const err = (await source.getKeys({ refresh: true }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/GET \/v1\/webhooks\/signing-key failed with 503/);
    expect(`${err.message}${err.stack}`).not.toContain(API_KEY);
  });

  it('verifies with refetched keys when the signature matches none of the cached ones (rotation)', async () => {
    serve(1, [stranger.jwk]);
    serve(1, [signer.jwk]);
    const verify = createLaminaVerifier(source);
    expect(await verify(signed(), NOW_MS)).toMatchObject({ ok: false, status: 401 }); // cached a moment ago
    now += 60_000;
    expect(await verify(signed(), NOW_MS)).toMatchObject({ ok: true });
    // A second forgery inside the minute does not refetch (no interceptor left) and is refused.
    expect(await verify(signed(body(), { key: stranger }), NOW_MS)).toMatchObject({ ok: false, status: 401 });
  });

  it('answers 503 when no key can be fetched', async () => {
    fail(500);
    expect(await createLaminaVerifier(source)(signed(), NOW_MS)).toMatchObject({
      ok: false,
      status: 503,
      reason: 'Lamina signing key unavailable',
    });
  });
});
