import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListBody } from '../../test/fixtures/simulator/lamina-client.js';
import { call, outputUrl, startRun, waitRun } from '../../test/fixtures/simulator/lamina-client.js';
import { DEMO_LAMINA_APP_ID, startSimulator } from './index.js';
import type { FaultRule, SimulatorHandle } from './index.js';

const APP = DEMO_LAMINA_APP_ID;
const APP_PATH = `/v1/apps/${APP}`;
let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 3, runDurationMs: 40 });
});
afterEach(async () => {
  await sim.close();
});

function only(rule: FaultRule): void {
  sim.configure({ faults: [rule] });
}

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('injected faults', () => {
  it('answers 429 RATE_LIMITED with Retry-After header and body field', async () => {
    only({ kind: '429', rate: 1, retryAfterSeconds: 7 });
    const res = await call(sim.url, APP_PATH);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.json).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfter: 7 });
    expect(res.json.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('answers 500 and 502 INTERNAL_ERROR and 503 RESOURCE_UNAVAILABLE', async () => {
    for (const [kind, code] of [
      ['500', 'INTERNAL_ERROR'],
      ['502', 'INTERNAL_ERROR'],
      ['503', 'RESOURCE_UNAVAILABLE'],
    ] as const) {
      only({ kind, rate: 1, retryAfterSeconds: 2 });
      const res = await call(sim.url, APP_PATH);
      expect(res.status).toBe(Number(kind));
      expect(res.json.code).toBe(code);
    }
    expect(sim.counters().faultsInjected).toEqual({ '500': 1, '502': 1, '503': 1 });
  });

  it('delays a slow response and then answers normally', async () => {
    only({ kind: 'slow', rate: 1, delayMs: 150 });
    const began = Date.now();
    const res = await call(sim.url, APP_PATH);
    expect(Date.now() - began).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
  });

  it('still creates the run of a slow start whose client gave up', async () => {
    only({ kind: 'slow', rate: 1, delayMs: 1_000, endpoints: ['lamina.start'] });
    const client = new AbortController();
    const request = fetch(`${sim.url}/v1/apps/${APP}/runs`, {
      method: 'POST',
      headers: { 'x-api-key': 'lma_k', 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: { Prompt: 'x' } }),
      signal: client.signal,
    });
    // The client gives up once the simulator holds the start (on a busy machine that is not within a fixed time).
    await until('the start to be held', () => sim.counters().faultsInjected['slow'] === 1);
    client.abort();
    await expect(request).rejects.toThrow();
    expect(sim.counters().runsCreated).toBe(0);
    await until('the run to be created after all', () => sim.counters().runsCreated === 1);
  });

  it('resets the connection without creating anything', async () => {
    only({ kind: 'reset', rate: 1 });
    await expect(startRun(sim.url, APP, { Prompt: 'x' })).rejects.toThrow();
    expect(sim.counters()).toMatchObject({ runsCreated: 0, faultsInjected: { reset: 1 } });
  });

  it('creates the run and then drops the connection on drop-after-accept', async () => {
    only({ kind: 'drop-after-accept', rate: 1 });
    const before = new Date().toISOString();
    await expect(startRun(sim.url, APP, { Prompt: 'lost response' })).rejects.toThrow();
    const counters = sim.counters();
    expect(counters.runsCreated).toBe(1);
    expect(counters.faultsInjected).toEqual({ 'drop-after-accept': 1 });
    const listed = await call<ListBody>(sim.url, `/v1/runs?appId=${APP}&since=${encodeURIComponent(before)}`);
    expect(listed.json.pagination.total).toBe(1);
  });

  it('applies drop-after-accept only to accepted starts, never to reads or rejected starts', async () => {
    only({ kind: 'drop-after-accept', rate: 1, count: 1 });
    expect((await call(sim.url, APP_PATH)).status).toBe(200);
    expect((await startRun(sim.url, APP, { Nope: 'x' })).status).toBe(400);
    await expect(startRun(sim.url, APP, { Prompt: 'x' })).rejects.toThrow();
    expect((await startRun(sim.url, APP, { Prompt: 'y' })).status).toBe(202);
    expect(sim.counters().runsCreated).toBe(2);
  });

  it('answers 200 text/html on html', async () => {
    only({ kind: 'html', rate: 1 });
    const res = await call(sim.url, APP_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.json).toBeNull();
  });

  it('answers 200 application/json that parses but lacks what the endpoint promises on schema', async () => {
    only({ kind: 'schema', rate: 1 });
    const res = await call(sim.url, APP_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.json).toMatchObject({ data: { id: 17 } });
    expect((res.json as unknown as { data: Record<string, unknown> }).data).not.toHaveProperty('appId');
    expect(sim.counters().faultsInjected).toEqual({ schema: 1 });
  });

  it('answers 200 application/json with a body that does not parse on truncated', async () => {
    only({ kind: 'truncated', rate: 1 });
    const res = await fetch(`${sim.url}${APP_PATH}`, { headers: { 'x-api-key': 'lma_k' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    await expect(res.json()).rejects.toThrow();
    expect(sim.counters().faultsInjected).toEqual({ truncated: 1 });
  });

  it('respects count, endpoints and rate, and never touches control endpoints', async () => {
    sim.configure({
      faults: [
        { kind: '503', rate: 1, endpoints: ['lamina.get'] },
        { kind: '500', rate: 1, count: 2 },
      ],
    });
    expect((await call(sim.url, '/v1/runs/x')).status).toBe(503);
    expect((await call(sim.url, APP_PATH)).status).toBe(500);
    expect((await call(sim.url, APP_PATH)).status).toBe(500);
    expect((await call(sim.url, APP_PATH)).status).toBe(200);
    expect((await call(sim.url, '/_sim/health')).status).toBe(200);
    sim.configure({ faults: [{ kind: '500', rate: 0.5 }] });
    const statuses = await Promise.all(Array.from({ length: 40 }, () => call(sim.url, APP_PATH)));
    const failed = statuses.filter((r) => r.status === 500).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
    expect(sim.counters().requests['lamina.app']).toBe(43);
  });

  it('can fault asset downloads', async () => {
    const { runId } = (await startRun(sim.url, APP, { Prompt: 'x' })).json.data;
    const url = outputUrl((await waitRun(sim.url, runId)).json.data);
    only({ kind: '503', rate: 1, endpoints: ['asset'] });
    expect((await fetch(url)).status).toBe(503);
    expect(sim.counters().requests['asset']).toBe(1);
  });
});
