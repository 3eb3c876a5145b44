import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunBody, RunJson } from '../../test/fixtures/simulator/lamina-client.js';
import { call, waitRun } from '../../test/fixtures/simulator/lamina-client.js';
import { startReceiver } from '../../test/fixtures/simulator/webhook-receiver.js';
import type { ReceivedWebhook, Responder, WebhookReceiver } from '../../test/fixtures/simulator/webhook-receiver.js';
import { DEMO_LAMINA_APP_ID, startSimulator } from './index.js';
import type { SimulatorHandle } from './index.js';

const APP = DEMO_LAMINA_APP_ID;
let sim: SimulatorHandle;
let receiver: WebhookReceiver | undefined;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 5, runDurationMs: 40, webhooks: { retryDelaysMs: [30, 30] } });
});
afterEach(async () => {
  await sim.close();
  await receiver?.close();
  receiver = undefined;
});

async function servedKey(): Promise<JsonWebKey> {
  const body = await call<{ keys: JsonWebKey[] }>(sim.url, '/v1/webhooks/signing-key');
  return body.json.keys[0]!;
}

/** True when the hook's signature verifies against the served JWK over `<timestamp>.<raw body>`. */
function signatureValid(hook: ReceivedWebhook, jwk: JsonWebKey): boolean {
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const message = Buffer.from(`${String(hook.headers['x-lamina-webhook-timestamp'])}.${hook.raw}`, 'utf8');
  return verify(null, message, key, Buffer.from(String(hook.headers['x-lamina-webhook-signature']), 'hex'));
}

/** A correct receiver: 401 for a bad signature or a timestamp more than 300 s away, 200 otherwise. */
function verifying(jwk: JsonWebKey): Responder {
  return (hook) => {
    const age = Math.abs(Date.now() / 1000 - Number(hook.headers['x-lamina-webhook-timestamp']));
    return signatureValid(hook, jwk) && age <= 300 ? 200 : 401;
  };
}

async function startWithWebhook(prompt: string, url = `${receiver?.url}/hook`): Promise<string> {
  const path = `/v1/apps/${APP}/runs?webhook=${encodeURIComponent(url)}`;
  const started = await call<RunBody>(sim.url, path, { method: 'POST', body: { inputs: { Prompt: prompt } } });
  expect(started.status).toBe(202);
  expect(started.json.data.webhookUrl).toBe(url);
  return started.json.data.runId;
}

const dataOf = (hook: ReceivedWebhook): RunJson => (JSON.parse(hook.raw) as { data: RunJson }).data;

/** Waits until the counters show `count` attempts or faults with this outcome. */
async function outcome(name: string, count: number): Promise<void> {
  for (let i = 0; i < 500 && (sim.counters().webhookDeliveries['lamina']?.[name] ?? 0) < count; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Lamina webhooks', () => {
  it('posts {data: ExecutionStatus} when the run ends, signed with the served ED25519 key', async () => {
    receiver = await startReceiver();
    const jwk = await servedKey();
    const runId = await startWithWebhook('signed');
    const [hook] = await receiver.waitFor(1);
    const polled = (await waitRun(sim.url, runId)).json.data;
    expect(hook!.path).toBe('/hook');
    expect(hook!.headers['content-type']).toBe('application/json');
    expect(hook!.headers['x-lamina-webhook-request-id']).toBe(runId);
    expect(hook!.headers['x-lamina-webhook-signature']).toMatch(/^[0-9a-f]{128}$/);
    const timestamp = Number(hook!.headers['x-lamina-webhook-timestamp']);
    expect(Number.isInteger(timestamp)).toBe(true);
    expect(Math.abs(Date.now() / 1000 - timestamp)).toBeLessThan(300);
    expect(signatureValid(hook!, jwk)).toBe(true);
    expect(Object.keys(JSON.parse(hook!.raw) as object)).toEqual(['data']);
    const { outputs, ...rest } = dataOf(hook!);
    const { outputs: polledOutputs, ...polledRest } = polled;
    expect(rest).toEqual(polledRest);
    expect(outputs.map(({ value: _v, ...o }) => o)).toEqual(polledOutputs.map(({ value: _v, ...o }) => o));
    expect(sim.counters().webhookDeliveries).toEqual({ lamina: { sent: 1 } });
  });

  it('sends the webhook of a cancelled run', async () => {
    receiver = await startReceiver();
    const runId = await startWithWebhook('long [sim:duration=60000]');
    await call(sim.url, `/v1/runs/${runId}/cancel`, { method: 'POST' });
    const [hook] = await receiver.waitFor(1);
    expect(dataOf(hook!)).toMatchObject({ runId, status: 'cancelled', errorMessage: 'Run cancelled' });
  });

  it('retries after a 500, re-signed, and gives up once the retry delays run out', async () => {
    receiver = await startReceiver((_hook, index) => (index === 0 ? 500 : 200));
    const jwk = await servedKey();
    await startWithWebhook('retry');
    const [first, second] = await receiver.waitFor(2);
    expect(second!.raw).toBe(first!.raw);
    expect(signatureValid(second!, jwk)).toBe(true);
    await outcome('sent', 1);
    expect(sim.counters().webhookDeliveries['lamina']).toEqual({ 'status 500': 1, sent: 1 });

    await receiver.close();
    receiver = await startReceiver(() => 500);
    await startWithWebhook('always failing');
    await receiver.waitFor(3);
    await outcome('gave up', 1);
    expect(sim.counters().webhookDeliveries['lamina']).toMatchObject({ 'status 500': 4, 'gave up': 1 });
    expect(receiver.received).toHaveLength(3);
  });

  it('counts a network error and retries it', async () => {
    const closed = await startReceiver();
    const deadUrl = `${closed.url}/hook`;
    await closed.close();
    await startWithWebhook('nobody home', deadUrl);
    await outcome('gave up', 1);
    expect(sim.counters().webhookDeliveries['lamina']).toEqual({ 'network error': 3, 'gave up': 1 });
  });

  it('loses a delivery outright under lostRate, retries included', async () => {
    receiver = await startReceiver(() => 500);
    sim.configure({ webhooks: { lostRate: 1 } });
    const lost = await startWithWebhook('lost');
    await waitRun(sim.url, lost);
    sim.configure({ webhooks: { lostRate: 0, retryDelaysMs: [] } });
    const kept = await startWithWebhook('kept');
    const [hook] = await receiver.waitFor(1);
    expect(hook!.headers['x-lamina-webhook-request-id']).toBe(kept);
    await outcome('gave up', 1);
    expect(receiver.received).toHaveLength(1);
    expect(sim.counters().webhookDeliveries['lamina']).toEqual({ lost: 1, 'status 500': 1, 'gave up': 1 });
  });

  it('sends a duplicate copy, re-signed, under duplicateRate', async () => {
    receiver = await startReceiver();
    const jwk = await servedKey();
    sim.configure({ webhooks: { duplicateRate: 1 } });
    const runId = await startWithWebhook('twice');
    const hooks = await receiver.waitFor(2);
    expect(hooks.map((h) => dataOf(h).runId)).toEqual([runId, runId]);
    expect(hooks[1]!.raw).toBe(hooks[0]!.raw);
    expect(hooks.every((h) => signatureValid(h, jwk))).toBe(true);
    await outcome('sent', 2);
    expect(sim.counters().webhookDeliveries['lamina']).toEqual({ duplicate: 1, sent: 2 });
  });

  it('delays the first attempt by webhooks.delayMs', async () => {
    receiver = await startReceiver();
    sim.configure({ webhooks: { delayMs: 300 } });
    await startWithWebhook('late');
    const [hook] = await receiver.waitFor(1);
    expect(hook!.receivedAt - Date.parse(dataOf(hook!).completedAt ?? '')).toBeGreaterThanOrEqual(300);
  });

  /** Runs one delivery under `faults` to a verifying receiver: its first two attempts and the served key. */
  async function spoiled(faults: { staleRate?: number; badSignatureRate?: number }) {
    const jwk = await servedKey();
    receiver = await startReceiver(verifying(jwk));
    sim.configure({ webhooks: faults });
    await startWithWebhook('spoiled');
    const [first, second] = await receiver.waitFor(2);
    await outcome('sent', 1);
    return { first: first!, second: second!, jwk };
  }

  it('sends a stale timestamp first; a correct receiver answers 401 and the fresh retry passes', async () => {
    const { first, second, jwk } = await spoiled({ staleRate: 1 });
    const age = (hook: ReceivedWebhook): number =>
      Date.now() / 1000 - Number(hook.headers['x-lamina-webhook-timestamp']);
    expect(age(first)).toBeGreaterThan(300);
    expect(signatureValid(first, jwk)).toBe(true);
    expect(age(second)).toBeLessThan(300);
    expect(sim.counters().webhookDeliveries['lamina']).toEqual({ stale: 1, 'status 401': 1, sent: 1 });
  });

  it('corrupts the first signature under badSignatureRate; the re-signed retry passes', async () => {
    const { first, second, jwk } = await spoiled({ badSignatureRate: 1 });
    expect(first.headers['x-lamina-webhook-signature']).toMatch(/^[0-9a-f]{128}$/);
    expect(signatureValid(first, jwk)).toBe(false);
    expect(signatureValid(second, jwk)).toBe(true);
    expect(sim.counters().webhookDeliveries['lamina']).toEqual({ 'bad signature': 1, 'status 401': 1, sent: 1 });
  });

  it('sends no pending retry once the simulator is closed', async () => {
    receiver = await startReceiver(() => 503);
    sim.configure({ webhooks: { retryDelaysMs: [100] } });
    await startWithWebhook('pending retry');
    await receiver.waitFor(1);
    await sim.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
  });

  it('rejects invalid stream and webhook settings', async () => {
    const bad = await call(sim.url, '/_sim/config', {
      method: 'POST',
      body: { stream: { pingIntervalMs: 0 }, webhooks: { lostRate: 2, retryDelaysMs: [-1], unknown: 1 } },
    });
    expect(bad.status).toBe(400);
  });
});
