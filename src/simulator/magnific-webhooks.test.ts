import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { magnificCall, readRun } from '../../test/fixtures/simulator/magnific-client.js';
import type { MagnificBody, MagnificRunJson } from '../../test/fixtures/simulator/magnific-client.js';
import { startReceiver } from '../../test/fixtures/simulator/webhook-receiver.js';
import type { ReceivedWebhook, WebhookReceiver } from '../../test/fixtures/simulator/webhook-receiver.js';
import { DEMO_MAGNIFIC_APP, DEMO_MAGNIFIC_APP_ID, startSimulator } from './index.js';
import type { SimulatorHandle } from './index.js';

const PROMPT_ID = DEMO_MAGNIFIC_APP.inputs[0]!.id;
const SECRET = 'whsec_simulator_test';
let sim: SimulatorHandle;
let receiver: WebhookReceiver;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 3, runDurationMs: 40, webhooks: { retryDelaysMs: [30] } });
  receiver = await startReceiver();
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

async function runWithWebhook(prompt: string): Promise<string> {
  const body = { inputs: { [PROMPT_ID]: prompt }, webhook: `${receiver.url}/magnific` };
  const started = await magnificCall<MagnificBody>(sim.url, `/v1/ai/apps/${DEMO_MAGNIFIC_APP_ID}/run`, { body });
  expect(started.status).toBe(202);
  return started.json.workflow_run_identifier;
}

const json = (hook: ReceivedWebhook): Record<string, unknown> => JSON.parse(hook.raw) as Record<string, unknown>;

/** The one hook of `runId` whose event is `event` (deliveries are separate requests: arrival order is not promised). */
function hookOf(hooks: ReceivedWebhook[], runId: string, event: string): ReceivedWebhook {
  const found = hooks.filter((h) => json(h)['run_id'] === runId && json(h)['event'] === event);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function hmacValid(hook: ReceivedWebhook, secret: string): boolean {
  const timestamp = String(hook.headers['x-magnific-webhook-timestamp']);
  const expected = createHmac('sha256', secret).update(`${timestamp}.${hook.raw}`, 'utf8').digest('hex');
  return hook.headers['x-magnific-webhook-signature'] === expected;
}

describe('Magnific webhooks', () => {
  it('posts initialized, then finished with the result, unsigned when no secret is configured', async () => {
    const runId = await runWithWebhook('a cat');
    const hooks = await receiver.waitFor(2);
    const initialized = hookOf(hooks, runId, 'initialized');
    const finished = hookOf(hooks, runId, 'finished');
    expect(json(initialized)).toEqual({ event: 'initialized', run_id: runId });
    const final = await readRun(sim.url, runId);
    const event = json(finished) as {
      event: string;
      run_id: string;
      status: string;
      result: MagnificRunJson['result'];
    };
    expect(event).toMatchObject({ event: 'finished', run_id: runId, status: 'completed' });
    expect(event.result.images.map((i) => i.id)).toEqual(final.result.images.map((i) => i.id));
    expect(event.result.images).toHaveLength(2);
    expect(event.result).toMatchObject({ videos: [], audios: [] });
    for (const hook of [initialized, finished]) {
      expect(hook.path).toBe('/magnific');
      expect(hook.headers['content-type']).toBe('application/json');
      expect(hook.headers['x-magnific-webhook-signature']).toBeUndefined();
      expect(hook.headers['x-magnific-webhook-timestamp']).toBeUndefined();
    }
    expect(sim.counters().webhookDeliveries).toEqual({ magnific: { sent: 2 } });
  });

  it('signs with HMAC-SHA256 of <timestamp>.<body> when webhookSecret is set, and reports partial runs', async () => {
    sim.configure({ magnific: { webhookSecret: SECRET } });
    const runId = await runWithWebhook('half [sim:partial]');
    const hooks = await receiver.waitFor(2);
    for (const hook of hooks) {
      expect(Math.abs(Date.now() / 1000 - Number(hook.headers['x-magnific-webhook-timestamp']))).toBeLessThan(300);
      expect(hmacValid(hook, SECRET)).toBe(true);
      expect(hmacValid(hook, 'another secret')).toBe(false);
    }
    expect(json(hookOf(hooks, runId, 'finished'))).toMatchObject({ status: 'completed_with_errors' });
  });

  it('posts failed with the error message for failed and cancelled runs', async () => {
    const failed = await runWithWebhook('broken [sim:fail]');
    expect(json(hookOf(await receiver.waitFor(2), failed, 'failed'))).toEqual({
      event: 'failed',
      run_id: failed,
      status: 'failed',
      error_message: 'Simulated generation failure',
    });
    const cancelled = await runWithWebhook('long [sim:duration=60000]');
    await receiver.waitFor(3);
    await magnificCall(sim.url, `/_sim/magnific/runs/${cancelled}/cancel`, { method: 'POST' });
    const hooks = await receiver.waitFor(4);
    expect(json(hooks[3]!)).toEqual({
      event: 'failed',
      run_id: cancelled,
      status: 'cancelled',
      error_message: 'Run cancelled',
    });
  });

  it('applies the signature faults only to signed deliveries', async () => {
    sim.configure({ webhooks: { staleRate: 1, badSignatureRate: 1 } });
    await runWithWebhook('unsigned');
    await receiver.waitFor(2);
    sim.configure({ magnific: { webhookSecret: SECRET }, webhooks: { staleRate: 0 } });
    await runWithWebhook('signed');
    const hooks = await receiver.waitFor(4);
    expect(hooks.slice(2).map((h) => hmacValid(h, SECRET))).toEqual([false, false]);
    expect(sim.counters().webhookDeliveries['magnific']).toMatchObject({ 'bad signature': 2 });
    expect(sim.counters().webhookDeliveries['magnific']?.['stale']).toBeUndefined();
  });
});
