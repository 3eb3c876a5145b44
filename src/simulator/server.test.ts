import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListBody } from '../../test/fixtures/simulator/lamina-client.js';
import { call, startRun, waitRun } from '../../test/fixtures/simulator/lamina-client.js';
import { DEMO_LAMINA_APP_ID, inputFingerprint, startSimulator } from './index.js';
import type { SimulatorHandle } from './index.js';

const APP = DEMO_LAMINA_APP_ID;
let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 11, runDurationMs: 60 });
});
afterEach(async () => {
  await sim.close();
});

async function finish(runId: string): Promise<string> {
  return (await waitRun(sim.url, runId)).json.data.status;
}

describe('counters', () => {
  it('counts runs per app and per input fingerprint, and the peak of concurrent runs', async () => {
    sim.configure({ runDurationMs: 500 });
    const rows = ['a', 'b', 'c', 'd', 'e'].map((p) => ({ Prompt: p }));
    const started = await Promise.all(rows.map((inputs) => startRun(sim.url, APP, inputs)));
    expect(sim.counters()).toMatchObject({ runsCreated: 5, activeRuns: 5, peakActiveRuns: 5 });
    await Promise.all(started.map((r) => finish(r.json.data.runId)));
    const counters = sim.counters();
    expect(counters).toMatchObject({ activeRuns: 0, peakActiveRuns: 5, runsCreatedByApp: { [`lamina:${APP}`]: 5 } });
    for (const inputs of rows)
      expect(counters.runsCreatedByFingerprint[inputFingerprint('lamina', APP, inputs)]).toBe(1);
    expect(counters.requests).toEqual({ 'lamina.start': 5, 'lamina.wait': 5 });
  });

  it('serves counters over HTTP and resets them, keeping the active-runs gauge', async () => {
    await startRun(sim.url, APP, { Prompt: 'x [sim:duration=5000]' });
    expect((await call(sim.url, '/_sim/counters')).json).toEqual(sim.counters());
    expect((await call(sim.url, '/_sim/reset-counters', { method: 'POST' })).status).toBe(200);
    expect(sim.counters()).toEqual({
      runsCreated: 0,
      runsCreatedByApp: {},
      runsCreatedByFingerprint: {},
      activeRuns: 1,
      peakActiveRuns: 1,
      requests: {},
      faultsInjected: {},
      streams: { opened: 0, completed: 0, timedOut: 0, cut: 0, pings: 0 },
      webhookDeliveries: {},
    });
    sim.resetCounters();
    expect((await call(sim.url, '/_sim/health')).json).toMatchObject({ ok: true });
  });
});

describe('configuration at runtime', () => {
  it('changes failure rate and outputs per run for runs created afterwards', async () => {
    sim.configure({ failureRate: 1 });
    expect(await finish((await startRun(sim.url, APP, { Prompt: 'x' })).json.data.runId)).toBe('failed');
    sim.configure({ failureRate: 0, outputsPerRun: 3 });
    const started = (await startRun(sim.url, APP, { Prompt: 'y' })).json.data;
    expect(started.outputs).toHaveLength(3);
    const done = (await waitRun(sim.url, started.runId)).json.data;
    expect(done.outputs.map((o) => o.status)).toEqual(['completed', 'completed', 'completed']);
    expect(new Set(done.outputs.map((o) => o.value)).size).toBe(3);
  });

  it('accepts a patch on POST /_sim/config and rejects an invalid one with 400', async () => {
    const ok = await call(sim.url, '/_sim/config', { method: 'POST', body: { faults: [{ kind: '429', rate: 1 }] } });
    expect(ok.status).toBe(200);
    expect((await call(sim.url, `/v1/apps/${APP}`)).status).toBe(429);
    const bad = await call<{ details: unknown[] }>(sim.url, '/_sim/config', {
      method: 'POST',
      body: { faults: [{ kind: 'teapot', rate: 2 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.details.length).toBeGreaterThanOrEqual(2);
    expect((await call(sim.url, '/_sim/config', { method: 'POST', rawBody: '{' })).status).toBe(400);
    expect(() => sim.configure({ failureRate: 3 })).toThrow();
  });

  it('draws the same failures from the same seed', async () => {
    const outcomes = async (s: SimulatorHandle): Promise<string[]> => {
      const runs: string[] = [];
      for (let i = 0; i < 8; i++) runs.push((await startRun(s.url, APP, { Prompt: `p${i}` })).json.data.runId);
      return Promise.all(runs.map(async (id) => (await waitRun(s.url, id)).json.data.status));
    };
    const opts = { port: 0, seed: 42, failureRate: 0.5, runDurationMs: { min: 10, max: 40 } };
    const a = await startSimulator(opts);
    const b = await startSimulator(opts);
    try {
      const [first, second] = [await outcomes(a), await outcomes(b)];
      expect(first).toEqual(second);
      expect(new Set(first).size).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('list runs', () => {
  it('filters by app, status and since, oldest first, one page at a time', async () => {
    const early = (await startRun(sim.url, APP, { Prompt: 'early' })).json.data.runId;
    await finish(early);
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    const later: string[] = [];
    for (let i = 0; i < 3; i++) later.push((await startRun(sim.url, APP, { Prompt: `late ${i}` })).json.data.runId);
    const all = await call<ListBody>(sim.url, `/v1/runs?appId=${APP}&since=${encodeURIComponent(since)}`);
    expect(all.json.data.map((r) => r.runId)).toEqual(later);
    expect(Object.keys(all.json.data[0] ?? {}).sort()).toEqual(
      ['completedAt', 'createdAt', 'errorMessage', 'runId', 'startedAt', 'status', 'workflowId'].sort(),
    );
    const page = await call<ListBody>(sim.url, `/v1/runs?since=${encodeURIComponent(since)}&limit=2&offset=2`);
    expect(page.json.pagination).toEqual({ total: 3, limit: 2, offset: 2 });
    expect(page.json.data.map((r) => r.runId)).toEqual([later[2]]);
    const completed = await call<ListBody>(sim.url, `/v1/runs?status=completed`);
    expect(completed.json.data.map((r) => r.runId)).toEqual([early]);
    expect((await call<ListBody>(sim.url, `/v1/runs?appId=other`)).json.pagination.total).toBe(0);
  });

  it('rejects limit above 100, bad since and unknown status with 400', async () => {
    for (const query of ['limit=101', 'limit=0', 'since=yesterday', 'status=done', 'offset=-1']) {
      const res = await call(sim.url, `/v1/runs?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('lifecycle of the server', () => {
  it('closes promptly with a wait pending, and the waiting client sees the connection end', async () => {
    const { runId } = (await startRun(sim.url, APP, { Prompt: 'x [sim:duration=60000]' })).json.data;
    const pending = call(sim.url, `/v1/runs/${runId}/wait?timeout=120`);
    await new Promise((r) => setTimeout(r, 30));
    const began = Date.now();
    await sim.close();
    expect(Date.now() - began).toBeLessThan(500);
    await expect(pending).rejects.toThrow();
  });

  it('stops waiting when the client disconnects', async () => {
    const { runId } = (await startRun(sim.url, APP, { Prompt: 'x [sim:duration=60000]' })).json.data;
    const aborter = new AbortController();
    const pending = fetch(`${sim.url}/v1/runs/${runId}/wait?timeout=120`, {
      headers: { 'x-api-key': 'lma_k' },
      signal: aborter.signal,
    });
    await new Promise((r) => setTimeout(r, 30));
    aborter.abort();
    await expect(pending).rejects.toThrow();
    expect((await call(sim.url, `/v1/runs/${runId}`)).json.data.status).toBe('queued');
  });
});
