import { generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLaminaKeySource, signLaminaWebhook } from './lamina.js';
import { signMagnificWebhook } from './magnific.js';
import { startWebhookReceiver } from './receiver.js';
import type { WebhookReceiver } from './receiver.js';
import { webhookUrlFor } from '../shared/delivery.js';
import type { WebhookProvider, WebhookTarget } from './url.js';
import type { WebhookEvent } from './verify.js';

const API_KEY = 'lma_receiver_unit_secret_9';
const SECRET = 'magnific_whsec_unit_5';
const TOKEN = 'tok_row_secret_3e8a';
const NOW_MS = 1_767_225_600_000;
const NOW_S = NOW_MS / 1000;
const WORKFLOW = 'batch-1/sku 12';

const pair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'EdDSA' } as JsonWebKey };
};
const signer = pair();
const stranger = pair();

const laminaBody = (status = 'completed', runId = 'run-1') =>
  JSON.stringify({ data: { runId, workflowId: 'wf', status, outputs: [], errorMessage: null } });

describe('webhook receiver over loopback HTTP', () => {
  let keyServer: Server;
  let keyFetches: number;
  let keyServerDown: boolean;
  let agent: Agent;
  let receiver: WebhookReceiver;
  let open: WebhookReceiver;
  let delivered: { target: WebhookTarget; event: WebhookEvent }[];
  let deliverWith: () => Promise<'delivered' | 'gone'>;
  let logs: string[];
  const signatures: string[] = [];

  const url = (r: WebhookReceiver, provider: WebhookProvider, workflowId = WORKFLOW) =>
    webhookUrlFor(r.url, provider, workflowId, TOKEN);
  /** POSTs and checks that no answer ever carries a token, secret, key or signature. */
  const post = async (target: string, body: string, headers: Record<string, string> = {}, method = 'POST') => {
    if (headers['x-lamina-webhook-signature']) signatures.push(headers['x-lamina-webhook-signature']);
    const res = await request(target, { method, body: method === 'GET' ? null : body, headers, dispatcher: agent });
    const text = await res.body.text();
    for (const secret of [TOKEN, SECRET, API_KEY, ...signatures]) expect(text).not.toContain(secret);
    return { status: res.statusCode, json: JSON.parse(text) as Record<string, unknown> };
  };
  const lamina = (body = laminaBody(), opts: { key?: typeof signer; runId?: string; at?: number } = {}) =>
    post(
      url(receiver, 'lamina'),
      body,
      signLaminaWebhook((opts.key ?? signer).privateKey, body, opts.runId ?? 'run-1', opts.at ?? NOW_S),
    );

  beforeAll(async () => {
    keyServer = createServer((_req, res) => {
      keyFetches++;
      res.writeHead(keyServerDown ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(keyServerDown ? { error: 'down' } : { keys: [signer.jwk] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    agent = new Agent();
  });
  beforeEach(async () => {
    keyFetches = 0;
    keyServerDown = false;
    delivered = [];
    logs = [];
    deliverWith = () => Promise.resolve('delivered');
    const common = {
      port: 0,
      now: () => NOW_MS,
      log: (line: string) => logs.push(line),
      deliver: (target: WebhookTarget, event: WebhookEvent) => {
        delivered.push({ target, event });
        return deliverWith();
      },
    };
    const { port } = keyServer.address() as AddressInfo;
    const keys = createLaminaKeySource({ baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, dispatcher: agent });
    receiver = await startWebhookReceiver({ ...common, laminaKeys: keys, magnificSecret: SECRET, maxBodyBytes: 4096 });
    open = await startWebhookReceiver(common);
  });
  afterEach(async () => {
    for (const line of logs)
      for (const secret of [TOKEN, SECRET, API_KEY, ...signatures]) expect(line).not.toContain(secret);
    await Promise.all([receiver.close(), open.close()]);
  });
  afterAll(async () => {
    await new Promise((resolve) => keyServer.close(resolve));
    await agent.close();
  });

  it('delivers a good Lamina webhook once; replays and re-signed retries are answered 200 as duplicates', async () => {
    expect(await lamina()).toEqual({ status: 200, json: { ok: true, outcome: 'delivered' } });
    expect(delivered).toEqual([
      {
        target: { provider: 'lamina', workflowId: WORKFLOW, token: TOKEN },
        event: { provider: 'lamina', runId: 'run-1', kind: 'final', status: 'completed' },
      },
    ]);
    expect(await lamina()).toEqual({ status: 200, json: { ok: true, outcome: 'duplicate' } });
    expect(await lamina(laminaBody(), { at: NOW_S + 30 })).toMatchObject({ json: { outcome: 'duplicate' } });
    expect(delivered).toHaveLength(1);
    expect(keyFetches).toBe(1);
    expect(receiver.stats()).toMatchObject({ delivered: 1, duplicate: 2 });
  });

  it('answers a duplicate that arrives while the first delivery is still running without delivering it', async () => {
    let finish!: (v: 'delivered') => void;
    deliverWith = () => new Promise((resolve) => (finish = resolve));
    const first = lamina();
    await expect.poll(() => delivered.length).toBe(1);
    expect(await lamina()).toMatchObject({ status: 200, json: { outcome: 'duplicate' } });
    finish('delivered');
    expect(await first).toMatchObject({ status: 200, json: { outcome: 'delivered' } });
    expect(delivered).toHaveLength(1);
  });

  it('refuses forged and foreign signatures, stale and future timestamps and a Request-Id mismatch', async () => {
    const forged = signLaminaWebhook(signer.privateKey, laminaBody('failed'), 'run-1', NOW_S);
    expect(await post(url(receiver, 'lamina'), laminaBody(), forged)).toMatchObject({ status: 401 });
    expect(await lamina(laminaBody(), { key: stranger })).toMatchObject({ status: 401 });
    expect(await lamina(laminaBody(), { at: NOW_S - 301 })).toMatchObject({ status: 401 });
    expect(await lamina(laminaBody(), { at: NOW_S + 301 })).toMatchObject({ status: 401 });
    expect(await lamina(laminaBody(), { runId: 'run-2' })).toEqual({
      status: 400,
      json: { error: 'X-Lamina-Webhook-Request-Id differs from data.runId' },
    });
    expect(await post(url(receiver, 'lamina'), laminaBody())).toMatchObject({ status: 400 });
    expect(delivered).toEqual([]);
    expect(logs).toHaveLength(6);
    expect(logs[1]).toBe('webhook 401: signature matches no Lamina signing key (provider=lamina run=run-1)');
    expect(receiver.stats()).toMatchObject({ unauthorized: 4, bad_request: 2, delivered: 0 });
  });

  it('refuses an oversize body with 413, whether announced by Content-Length or not', async () => {
    const big = laminaBody('completed', 'r'.repeat(5000));
    expect(await post(url(receiver, 'lamina'), big)).toEqual({
      status: 413,
      json: { error: 'body exceeds 4096 bytes' },
    });
    const res = await request(url(receiver, 'lamina'), {
      method: 'POST',
      body: Readable.from([Buffer.alloc(3000, 'a'), Buffer.alloc(3000, 'b')]),
      dispatcher: agent,
    }).catch((err: unknown) => err);
    // The receiver stops reading: the client sees the 413, or a reset if it was still sending.
    if (!(res instanceof Error)) expect((res as { statusCode: number }).statusCode).toBe(413);
    expect(receiver.stats().too_large).toBe(2);
    expect(delivered).toEqual([]);
  });

  it('answers 404 to unknown paths and providers, 405 to other methods, 200 to /healthz', async () => {
    const base = receiver.url;
    expect(await post(`${base}/webhooks/lamina`, '{}')).toMatchObject({ status: 404 });
    expect(await post(`${base}/webhooks/artu/wf?token=${TOKEN}`, '{}')).toMatchObject({ status: 404 });
    expect(await post(url(receiver, 'lamina'), '', {}, 'GET')).toMatchObject({ status: 405 });
    expect(await post(`${base}/healthz`, '', {}, 'GET')).toEqual({ status: 200, json: { ok: true } });
    expect(await post(`${base}/webhooks/lamina/wf`, laminaBody())).toEqual({
      status: 400,
      json: { error: 'missing token' },
    });
    expect(logs).toHaveLength(4);
  });

  it('answers 404 with a log line to Lamina webhooks when no signing key source is configured', async () => {
    const body = laminaBody();
    const headers = signLaminaWebhook(signer.privateKey, body, 'run-1', NOW_S);
    expect(await post(url(open, 'lamina'), body, headers)).toMatchObject({ status: 404 });
    expect(logs).toEqual(['webhook 404: no verifier configured for lamina webhooks (provider=lamina)']);
  });

  it('verifies Magnific webhooks with the secret when one is set, and accepts unsigned ones without', async () => {
    const body = JSON.stringify({ event: 'finished', run_id: 'sq-1' });
    expect(await post(url(receiver, 'magnific'), body)).toMatchObject({ status: 400 });
    expect(await post(url(receiver, 'magnific'), body, signMagnificWebhook('wrong', body, NOW_S))).toMatchObject({
      status: 401,
    });
    expect(await post(url(receiver, 'magnific'), body, signMagnificWebhook(SECRET, body, NOW_S))).toMatchObject({
      status: 200,
      json: { outcome: 'delivered' },
    });
    const other = JSON.stringify({ event: 'failed', run_id: 'sq-2' });
    expect(await post(url(open, 'magnific'), other)).toMatchObject({ status: 200, json: { outcome: 'delivered' } });
    expect(delivered.map((d) => [d.event.runId, d.event.status])).toEqual([
      ['sq-1', 'finished'],
      ['sq-2', 'failed'],
    ]);
    const started = JSON.stringify({ event: 'initialized', run_id: 'sq-3' });
    expect(await post(url(open, 'magnific'), started)).toMatchObject({ status: 200, json: { outcome: 'progress' } });
    expect(delivered).toHaveLength(2);
  });

  it('answers 503 when delivery throws, logs it without the token, and delivers on the retry', async () => {
    deliverWith = () => Promise.reject(new Error(`signal to ${WORKFLOW}?token=${TOKEN} failed`));
    expect(await lamina()).toEqual({ status: 503, json: { error: 'delivery failed' } });
    expect(logs[0]).toMatch(
      /^webhook 503: delivery failed \(provider=lamina run=run-1\): signal .*\[redacted\] failed$/,
    );
    deliverWith = () => Promise.resolve('gone');
    expect(await lamina()).toEqual({ status: 200, json: { ok: true, outcome: 'gone' } });
    expect(await lamina()).toMatchObject({ json: { outcome: 'duplicate' } });
    expect(delivered).toHaveLength(2);
  });

  it('answers 503 when the signing key cannot be fetched, and 200 without delivery to a progress event', async () => {
    keyServerDown = true;
    expect(await lamina()).toEqual({ status: 503, json: { error: 'Lamina signing key unavailable' } });
    expect(logs[0]).toMatch(/^webhook 503: Lamina signing key unavailable \(provider=lamina\): lamina: GET .* 503/);
    keyServerDown = false;
    expect(await lamina(laminaBody('running'))).toEqual({ status: 200, json: { ok: true, outcome: 'progress' } });
    expect(delivered).toEqual([]);
  });
});
