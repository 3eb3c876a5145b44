import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppBody } from '../../test/fixtures/simulator/lamina-client.js';
import { call, outputUrl, startRun, TEST_LAMINA_KEY, waitRun } from '../../test/fixtures/simulator/lamina-client.js';
import { DEMO_LAMINA_APP_ID, startSimulator } from './index.js';
import type { SimulatorHandle } from './index.js';

const APP = DEMO_LAMINA_APP_ID;
let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 7, runDurationMs: 60 });
});
afterEach(async () => {
  await sim.close();
});

async function startedId(inputs: Record<string, unknown>): Promise<string> {
  return (await startRun(sim.url, APP, inputs)).json.data.runId;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('Lamina runs', () => {
  it('starts a run with 202, completes it through /wait and serves a stable PNG', async () => {
    const started = await startRun(sim.url, APP, { Prompt: 'a red chair', Style: 'Watercolor' });
    expect(started.status).toBe(202);
    const { data } = started.json;
    expect(data).toMatchObject({ status: 'queued', workflowName: 'Product shot' });
    expect(data.outputs).toEqual([
      { id: data.outputs[0]?.id, label: 'Image', type: 'pending', value: null, status: 'pending', error: null },
    ]);
    expect(data.outputs[0]?.id).toMatch(/^imageNode-/);
    const waited = await waitRun(sim.url, data.runId);
    expect(waited.json.timeout).toBeUndefined();
    const status = waited.json.data;
    expect(status).toMatchObject({ runId: data.runId, workflowId: data.workflowId, status: 'completed' });
    expect(status.progress).toEqual({ totalOutputs: 1, completedOutputs: 1, failedOutputs: 0, percentComplete: 100 });
    expect(status.outputs[0]).toMatchObject({ type: 'image', status: 'completed', error: null });
    const url = outputUrl(status);
    expect(url).toMatch(new RegExp(`^${sim.url}/_sim/assets/${data.runId}/0\\.png\\?expires=\\d+&sig=[0-9a-f]{64}$`));

    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await first.arrayBuffer());
    expect(first.headers.get('content-length')).toBe(String(bytes.length));
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const again = await call(sim.url, `/v1/runs/${data.runId}`);
    const second = Buffer.from(await (await fetch(outputUrl(again.json.data))).arrayBuffer());
    expect(sha(second)).toBe(sha(bytes));
  });

  it('goes queued → running → completed by the clock, with start and end times', async () => {
    sim.configure({ runDurationMs: 600, queuedShare: 0.5 });
    const runId = await startedId({ Prompt: 'x' });
    const queued = (await call(sim.url, `/v1/runs/${runId}`)).json.data;
    expect(queued).toMatchObject({ status: 'queued', startedAt: null, completedAt: null });
    await new Promise((r) => setTimeout(r, 400));
    const running = (await call(sim.url, `/v1/runs/${runId}`)).json.data;
    expect(running.status).toBe('running');
    expect(running.startedAt).toEqual(expect.any(String));
    const done = (await waitRun(sim.url, runId)).json.data;
    expect(done.status).toBe('completed');
    expect(Date.parse(done.completedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.startedAt ?? ''));
  });

  it('fails runs whose inputs carry [sim:fail], keeping outputs pending with an error', async () => {
    const runId = await startedId({ Prompt: 'please [sim:fail]' });
    const { data } = (await waitRun(sim.url, runId)).json;
    expect(data).toMatchObject({ status: 'failed', errorMessage: 'Simulated generation failure' });
    expect(data.outputs[0]).toMatchObject({ type: 'pending', value: null, status: 'error' });
    expect(data.outputs[0]?.error).toBeTruthy();
    expect(data.progress).toMatchObject({ completedOutputs: 0, failedOutputs: 1 });
  });

  it('answers timeout:true when the run outlasts the wait (capped by maxWaitMs)', async () => {
    sim.configure({ maxWaitMs: 50 });
    const runId = await startedId({ Prompt: 'slow [sim:duration=5000]' });
    const began = Date.now();
    const waited = await waitRun(sim.url, runId, 30);
    expect(Date.now() - began).toBeLessThan(1000);
    expect(waited.status).toBe(200);
    expect(waited.json.timeout).toBe(true);
    expect(['queued', 'running']).toContain(waited.json.data.status);
  });

  it('rejects a wait timeout outside 1..120', async () => {
    const runId = await startedId({ Prompt: 'x' });
    for (const t of ['0', '121', 'abc']) {
      const res = await call(sim.url, `/v1/runs/${runId}/wait?timeout=${t}`);
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('VALIDATION_ERROR');
    }
  });

  it('cancels a live run and stays idempotent once terminal', async () => {
    const runId = await startedId({ Prompt: 'x [sim:duration=5000]' });
    const cancelled = await call(sim.url, `/v1/runs/${runId}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.data).toEqual({ runId, status: 'cancelled' });
    const again = await call(sim.url, `/v1/runs/${runId}/cancel`, { method: 'POST' });
    expect(again.json.data).toEqual({ runId, status: 'cancelled' });
    const status = (await waitRun(sim.url, runId, 1)).json;
    expect(status.timeout).toBeUndefined();
    expect(status.data.status).toBe('cancelled');
    expect(sim.counters().activeRuns).toBe(0);
  });

  it('answers 404 NOT_FOUND for unknown runs and apps', async () => {
    for (const path of ['/v1/runs/nope', '/v1/runs/nope/wait', '/v1/apps/nope', '/v1/nothing']) {
      const res = await call(sim.url, path);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({
        code: 'NOT_FOUND',
        retryable: false,
        requestId: res.headers.get('x-request-id'),
      });
    }
    expect((await startRun(sim.url, 'nope', { Prompt: 'x' })).status).toBe(404);
  });
});

describe('Lamina apps and validation', () => {
  it('describes the demo app with parameters and outputs', async () => {
    const { data } = (await call<AppBody>(sim.url, `/v1/apps/${APP}`)).json;
    expect(data.name).toBe('Product shot');
    expect(data.parameters.map((p) => p.name)).toEqual(['Prompt', 'Style', 'Aspect Ratio', 'Reference']);
    expect(data.parameters[1]).toMatchObject({
      key: 'style',
      type: 'options',
      options: ['Photoreal', 'Watercolor', 'Line art'],
      default: 'Photoreal',
    });
    expect(data.outputs).toEqual([{ label: 'Image', type: 'image' }]);
    expect((await call<AppBody>(`${sim.url}/lamina`, `/v1/apps/${APP}`)).json.data.appId).toBe(APP);
  });

  it('lists every bad input in VALIDATION_ERROR details and creates nothing', async () => {
    const res = await startRun(sim.url, APP, { prompt: 'wrong case', Style: 'Oil', Reference: 'ftp://x/y.png' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'VALIDATION_ERROR', retryable: false });
    const fields = (res.json.details ?? []).map((d) => `${d.field}:${d.code}`);
    expect(fields.sort()).toEqual([
      'Prompt:REQUIRED',
      'Reference:INVALID_URL',
      'Style:INVALID_OPTION',
      'prompt:UNKNOWN_PARAMETER',
    ]);
    expect(sim.counters().runsCreated).toBe(0);
  });

  it('rejects malformed JSON, a missing inputs object and a bad webhook URL with 400', async () => {
    const path = `/v1/apps/${APP}/runs`;
    expect((await call(sim.url, path, { method: 'POST', rawBody: '{"inputs":' })).status).toBe(400);
    expect((await call(sim.url, path, { method: 'POST', body: { input: {} } })).status).toBe(400);
    const hook = await call(sim.url, `${path}?webhook=not-a-url`, {
      method: 'POST',
      body: { inputs: { Prompt: 'x' } },
    });
    expect(hook.json.code).toBe('WEBHOOK_INVALID_URL');
    expect(sim.counters().runsCreated).toBe(0);
  });

  it('echoes a valid webhook URL in the start response', async () => {
    const path = `/v1/apps/${APP}/runs?webhook=${encodeURIComponent('https://hooks.example/lamina')}`;
    const res = await call(sim.url, path, { method: 'POST', body: { inputs: { Prompt: 'x' } } });
    expect(res.json.data.webhookUrl).toBe('https://hooks.example/lamina');
  });

  it('serves the apps given in options instead of the demo app', async () => {
    sim.configure({
      lamina: {
        apps: [{ appId: 'app-2', name: 'Two', parameters: [], outputs: [{ label: 'Caption', type: 'text' }] }],
      },
    });
    expect((await call(sim.url, `/v1/apps/${APP}`)).status).toBe(404);
    const runId = (await startRun(sim.url, 'app-2', {})).json.data.runId;
    const { data } = (await waitRun(sim.url, runId)).json;
    expect(data.outputs[0]).toMatchObject({ label: 'Caption', type: 'text', status: 'completed' });
  });
});

describe('Lamina auth', () => {
  it('answers 401 AUTH_MISSING_KEY without a key and AUTH_INVALID_KEY for a wrong one, never echoing it', async () => {
    const missing = await call(sim.url, `/v1/apps/${APP}`, { key: null });
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ code: 'AUTH_MISSING_KEY', retryable: false });
    expect(missing.json.requestId).toBe(missing.headers.get('x-request-id'));
    const wrong = await call(sim.url, `/v1/apps/${APP}`, { key: 'sk_secret_value' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe('AUTH_INVALID_KEY');
    expect(wrong.text).not.toContain('sk_secret_value');
  });

  it('accepts a Bearer token, and only the configured key when one is set', async () => {
    const bearer = { key: null, headers: { authorization: `Bearer ${TEST_LAMINA_KEY}` } };
    expect((await call(sim.url, `/v1/apps/${APP}`, bearer)).status).toBe(200);
    sim.configure({ lamina: { apiKey: 'lma_only_this' } });
    expect((await call(sim.url, `/v1/apps/${APP}`, bearer)).status).toBe(401);
    expect((await call(sim.url, `/v1/apps/${APP}`, { key: 'lma_only_this' })).status).toBe(200);
  });

  it('serves the webhook signing key as an Ed25519 JWK', async () => {
    const res = await call<{ keys: { kty: string; crv: string; x: string; alg: string }[] }>(
      sim.url,
      '/v1/webhooks/signing-key',
    );
    expect(res.json.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(res.json.keys[0]?.x).toMatch(/^[\w-]{43}$/);
  });
});
