import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trigger, waitExecution } from '../../test/fixtures/simulator/artu-client.js';
import { startRun, waitRun } from '../../test/fixtures/simulator/lamina-client.js';
import type { MagnificAppJson } from '../../test/fixtures/simulator/magnific-client.js';
import { magnificCall, pollRun, readRun, runApp } from '../../test/fixtures/simulator/magnific-client.js';
import {
  DEMO_ARTU_WORKFLOW_ID,
  DEMO_LAMINA_APP_ID,
  DEMO_MAGNIFIC_APP,
  DEMO_MAGNIFIC_APP_ID,
  inputFingerprint,
  MAGNIFIC_ASSET_TTL_MS,
  SIMULATED_FAILURE_MESSAGE,
  startSimulator,
} from './index.js';
import type { SimulatorHandle } from './index.js';

const APP = DEMO_MAGNIFIC_APP_ID;
const [PROMPT, CREATIVITY, STYLE] = DEMO_MAGNIFIC_APP.inputs.map((input) => input.id) as [string, string, string];
let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 9, runDurationMs: 60 });
});
afterEach(async () => {
  await sim.close();
});

async function started(inputs: Record<string, unknown>): Promise<string> {
  const res = await runApp(sim.url, APP, inputs);
  expect(res.status).toBe(202);
  return res.json.workflow_run_identifier;
}

describe('Magnific auth and app', () => {
  it('answers 401 {message} without or with a wrong key, and accepts the Freepik header', async () => {
    for (const key of [null, 'lma_wrong', 'mgn_']) {
      const res = await magnificCall(sim.url, `/v1/ai/apps/${APP}`, { key });
      expect(res.status, String(key)).toBe(401);
      expect(res.json).toEqual({ message: 'Invalid API key' });
    }
    const freepik = await magnificCall(sim.url, `/v1/ai/apps/${APP}`, { header: 'x-freepik-api-key' });
    expect(freepik.status).toBe(200);
    sim.configure({ magnific: { apiKey: 'mgn_only_this' } });
    expect((await magnificCall(sim.url, `/v1/ai/apps/${APP}`)).status).toBe(401);
    expect((await magnificCall(sim.url, `/v1/ai/apps/${APP}`, { key: 'mgn_only_this' })).status).toBe(200);
  });

  it('serves the app definition with inputs keyed by id, and 404s an unknown app', async () => {
    const res = await magnificCall<MagnificAppJson>(sim.url, `/v1/ai/apps/${APP}`);
    const { data } = res.json;
    expect(data).toMatchObject({ sqid: APP, name: 'Upscale & restyle', tool_metadata: { total_cost: 12 } });
    expect(data.inputs.map(({ key, type, label, default: d, required }) => [key, type, label, d, required])).toEqual([
      ['prompt', 'text', 'Prompt', null, true],
      ['creativity', 'number', 'Creativity', 3, false],
      ['style', 'select', 'Style', 'natural', false],
    ]);
    for (const input of data.inputs) expect(input.id).toMatch(/^input-[0-9a-f-]{36}-\d$/);
    expect((await magnificCall(sim.url, '/v1/ai/apps/nope')).json).toEqual({ message: 'App not found' });
  });
});

describe('Magnific runs', () => {
  it('rejects inputs keyed by key or label, naming the id, and missing or mistyped inputs', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ prompt: 'x' }, `"prompt" must be keyed by its id "${PROMPT}"`],
      [{ Prompt: 'x' }, `"Prompt" must be keyed by its id "${PROMPT}"`],
      [{ [PROMPT]: 'x', Creativity: 2 }, `"Creativity" must be keyed by its id "${CREATIVITY}"`],
      [{ [PROMPT]: 'x', nope: 1 }, 'Unknown input "nope"'],
      [{ [CREATIVITY]: 2 }, `Missing required input "${PROMPT}" (Prompt)`],
      [{ [PROMPT]: 'x', [CREATIVITY]: 'high' }, 'must be a number'],
      [{ [PROMPT]: 'x', [STYLE]: 'loud' }, 'must be one of: natural, vivid, film'],
    ];
    for (const [inputs, message] of bad) {
      const res = await runApp(sim.url, APP, inputs);
      expect(res.status, JSON.stringify(inputs)).toBe(400);
      expect(Object.keys(res.json)).toEqual(['message']);
      expect(res.json.message).toContain(message);
    }
    expect(sim.counters().runsCreated).toBe(0);
  });

  it('answers 202 unwrapped and polls pending → running → completed with downloadable assets', async () => {
    sim.configure({ runDurationMs: 300, queuedShare: 0.3 });
    const res = await runApp(sim.url, APP, { [PROMPT]: 'a castle', [CREATIVITY]: 5, [STYLE]: 'film' });
    expect(res.status).toBe(202);
    expect(Object.keys(res.json).sort()).toEqual(['status', 'workflow_run_identifier']);
    expect(res.json.status).toBe('running');
    expect(res.json.workflow_run_identifier).toMatch(/^[A-Za-z0-9]{10}$/);
    const runId = res.json.workflow_run_identifier;
    const { seen, run } = await pollRun(sim.url, runId);
    expect(seen).toEqual(['pending', 'running', 'completed']);
    expect(run).toMatchObject({ run_id: runId, app_id: APP, status: 'completed', error_message: null });
    expect(Date.parse(run.completed_at ?? '')).toBeGreaterThanOrEqual(Date.parse(run.started_at ?? ''));
    expect(run.result.videos).toEqual([]);
    expect(run.result.audios).toEqual([]);
    expect(run.result.images).toHaveLength(2);
    for (const image of run.result.images) {
      expect(Object.keys(image).sort()).toEqual(['created_at', 'duration', 'height', 'id', 'tool', 'url', 'width']);
      const download = await fetch(image.url);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('image/png');
    }
  });

  it('ends completed_with_errors with some assets on [sim:partial], failed on [sim:fail] and failureRate', async () => {
    const partial = (await pollRun(sim.url, await started({ [PROMPT]: 'x [sim:partial]' }))).run;
    expect(partial.status).toBe('completed_with_errors');
    expect(partial.result.images).toHaveLength(1);
    expect(partial.error_message).toMatch(/1 of 2 outputs failed/);
    const failed = (await pollRun(sim.url, await started({ [PROMPT]: 'x [sim:fail]' }))).run;
    expect(failed).toMatchObject({ status: 'failed', error_message: SIMULATED_FAILURE_MESSAGE });
    expect(failed.result.images).toEqual([]);
    sim.configure({ failureRate: 1 });
    expect((await pollRun(sim.url, await started({ [PROMPT]: 'y' }))).run.status).toBe('failed');
    sim.configure({ failureRate: 0, partialRate: 1, outputsPerRun: 4 });
    expect((await pollRun(sim.url, await started({ [PROMPT]: 'z' }))).run.result.images).toHaveLength(2);
  });

  it('signs asset URLs for 12 hours by default; an expired one is 403 and a status read gives a fresh one', async () => {
    const runId = await started({ [PROMPT]: 'x' });
    const first = (await pollRun(sim.url, runId)).run.result.images[0]?.url ?? '';
    const ttl = Number(new URL(first).searchParams.get('expires')) - Date.now();
    expect(Math.abs(ttl - MAGNIFIC_ASSET_TTL_MS)).toBeLessThan(60_000);
    sim.configure({ magnific: { assetTtlMs: 1 } });
    const short = (await readRun(sim.url, runId)).result.images[0]?.url ?? '';
    await new Promise((r) => setTimeout(r, 10));
    const expired = await fetch(short);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    sim.configure({ magnific: { assetTtlMs: 60_000 } });
    const fresh = (await readRun(sim.url, runId)).result.images[0]?.url ?? '';
    expect(fresh).not.toBe(short);
    expect((await fetch(fresh)).status).toBe(200);
    expect((await magnificCall(sim.url, `/v1/ai/apps/${APP}`)).status).toBe(200);
  });

  it('404s an unknown run and cancels a live one through the control endpoint', async () => {
    expect((await magnificCall(sim.url, '/v1/ai/apps/runs/nope')).json).toEqual({ message: 'Run not found' });
    const runId = await started({ [PROMPT]: 'x [sim:duration=60000]' });
    const cancel = await magnificCall(sim.url, `/_sim/magnific/runs/${runId}/cancel`, { method: 'POST' });
    expect(cancel.json).toEqual({ run_id: runId, status: 'cancelled' });
    expect((await readRun(sim.url, runId)).status).toBe('cancelled');
    expect(sim.counters().activeRuns).toBe(0);
  });
});

describe('Magnific faults and counters', () => {
  it('creates the run and drops the connection on drop-after-accept of magnific.run', async () => {
    sim.configure({ faults: [{ kind: 'drop-after-accept', rate: 1, count: 1 }] });
    expect((await runApp(sim.url, APP, { prompt: 'x' })).status).toBe(400);
    await expect(runApp(sim.url, APP, { [PROMPT]: 'lost' })).rejects.toThrow();
    expect((await runApp(sim.url, APP, { [PROMPT]: 'kept' })).status).toBe(202);
    const counters = sim.counters();
    expect(counters).toMatchObject({ runsCreated: 2, faultsInjected: { 'drop-after-accept': 1 } });
    expect(counters.runsCreatedByFingerprint[inputFingerprint('magnific', APP, { [PROMPT]: 'lost' })]).toBe(1);
  });

  it('answers injected 429s as {message} with Retry-After', async () => {
    sim.configure({ faults: [{ kind: '429', rate: 1, retryAfterSeconds: 2, endpoints: ['magnific.status'] }] });
    const res = await magnificCall(sim.url, '/v1/ai/apps/runs/any');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.json).toEqual({ message: 'Too many requests' });
  });

  it('keeps counters per provider on one server, with requests per endpoint for rate checks', async () => {
    const inputs = { [PROMPT]: 'same row' };
    const mgn = await started(inputs);
    const lam = (await startRun(sim.url, DEMO_LAMINA_APP_ID, { Prompt: 'same row' })).json.data.runId;
    const art = (await trigger(sim.url, DEMO_ARTU_WORKFLOW_ID, { prompt: 'same row' })).json.executionId;
    expect(sim.counters()).toMatchObject({ activeRuns: 3, peakActiveRuns: 3 });
    await Promise.all([pollRun(sim.url, mgn), waitRun(sim.url, lam), waitExecution(sim.url, art)]);
    const counters = sim.counters();
    expect(counters).toMatchObject({
      runsCreated: 3,
      activeRuns: 0,
      runsCreatedByApp: {
        [`magnific:${APP}`]: 1,
        [`lamina:${DEMO_LAMINA_APP_ID}`]: 1,
        [`artu:${DEMO_ARTU_WORKFLOW_ID}`]: 1,
      },
    });
    expect(Object.keys(counters.runsCreatedByFingerprint)).toEqual(
      expect.arrayContaining([
        inputFingerprint('magnific', APP, inputs),
        inputFingerprint('lamina', DEMO_LAMINA_APP_ID, { Prompt: 'same row' }),
        inputFingerprint('artu', DEMO_ARTU_WORKFLOW_ID, { prompt: 'same row' }),
      ]),
    );
    expect(counters.requests).toMatchObject({ 'magnific.run': 1, 'lamina.start': 1, 'artu.trigger': 1 });
    expect(counters.requests['magnific.status']).toBeGreaterThanOrEqual(2);
  });
});
