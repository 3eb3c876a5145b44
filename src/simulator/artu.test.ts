import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtuErrorJson, ListJson } from '../../test/fixtures/simulator/artu-client.js';
import { artuCall, trigger, waitExecution } from '../../test/fixtures/simulator/artu-client.js';
import { DEMO_ARTU_WORKFLOW_ID, inputFingerprint, SIMULATED_FAILURE_MESSAGE, startSimulator } from './index.js';
import type { SimulatorHandle } from './index.js';

const WF = DEMO_ARTU_WORKFLOW_ID;
let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 5, runDurationMs: 60 });
});
afterEach(async () => {
  await sim.close();
});

async function triggered(inputs: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await trigger(sim.url, WF, inputs, extra);
  expect(res.status).toBe(200);
  return res.json.executionId;
}

describe('Artu auth', () => {
  it('answers 401 UNAUTHORIZED without or with a wrong Bearer key, and 400 INVALID_ENVIRONMENT', async () => {
    const path = `/workflows/executions/list`;
    const cases: [Parameters<typeof artuCall>[2], number, string][] = [
      [{ key: null }, 401, 'UNAUTHORIZED'],
      [{ key: 'lma_not_artu' }, 401, 'UNAUTHORIZED'],
      [{ environment: null }, 400, 'INVALID_ENVIRONMENT'],
      [{ environment: 'prod' }, 400, 'INVALID_ENVIRONMENT'],
      [{ key: null, environment: null }, 401, 'UNAUTHORIZED'],
    ];
    for (const [options, status, code] of cases) {
      const res = await artuCall<ArtuErrorJson>(sim.url, path, { method: 'POST', body: {}, ...options });
      expect(res.status, JSON.stringify(options)).toBe(status);
      expect(Object.keys(res.json).sort()).toEqual(['code', 'message']);
      expect(res.json.code).toBe(code);
    }
    expect((await trigger(sim.url, WF, { prompt: 'x' }, {}, { environment: 'Live' })).status).toBe(400);
    sim.configure({ artu: { apiKey: 'artu_only_this' } });
    expect((await artuCall(sim.url, path, { method: 'POST', body: {} })).status).toBe(401);
    const ok = await artuCall(sim.url, path, { method: 'POST', body: {}, key: 'artu_only_this', environment: 'live' });
    expect(ok.status).toBe(200);
    expect(sim.counters()).toMatchObject({ runsCreated: 0, requests: { 'artu.list': 7, 'artu.trigger': 1 } });
  });
});

describe('Artu executions', () => {
  it('triggers, waits to completed and serves the produced file behind a signed URL', async () => {
    const res = await trigger(sim.url, WF, { prompt: 'a lamp', style: 'ink' }, { entityType: 'row', entityId: 'r1' });
    expect(res.json).toEqual({
      ok: true,
      workflowId: WF,
      executionId: res.json.executionId,
      status: 'queued',
      error: null,
      alertIds: [],
      durationMs: null,
    });
    const done = (await waitExecution(sim.url, res.json.executionId)).json;
    expect(done).toMatchObject({
      id: res.json.executionId,
      environment: 'test',
      workflowId: WF,
      triggerType: 'manual',
      entityType: 'row',
      entityId: 'r1',
      status: 'completed',
      error: null,
      alertIds: [],
      initiatedBy: null,
      inputs: { prompt: 'a lamp', style: 'ink' },
      warnings: [],
    });
    expect(Object.keys(done)).toEqual(
      expect.arrayContaining(['organizationId', 'eventId', 'eventType', 'createdAt', 'resolvedVariables']),
    );
    expect(done.durationMs).toBeGreaterThanOrEqual(50);
    expect(Date.parse(done.completedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.createdAt));
    expect(done.workflowTrace.nodeTraces.map((n) => n.nodeId)).toEqual(['trigger', 'generate']);
    expect(done.producedRecords).toHaveLength(1);
    expect(done.producedRecords[0]).toMatchObject({ kind: 'caption', text: 'Simulated caption for a lamp' });
    expect(done.producedRecords[0]?.id).toMatch(/^rec_/);
    const [file] = done.producedFiles;
    expect(file).toMatchObject({ name: 'image-1.png', mimeType: 'image/png' });
    const download = await fetch(file?.url ?? '');
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(file?.sizeBytes);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('completes a [sim:sync] run inside the trigger response, outputs included', async () => {
    const res = await trigger(sim.url, WF, { prompt: 'now [sim:sync]' });
    expect(res.json).toMatchObject({ ok: true, status: 'completed', error: null });
    expect(res.json.durationMs).toBeGreaterThanOrEqual(50);
    expect(res.json.producedRecords).toHaveLength(1);
    expect((await fetch(res.json.producedFiles?.[0]?.url ?? '')).status).toBe(200);
    expect(sim.counters()).toMatchObject({ runsCreated: 1, activeRuns: 0 });
  });

  it('ends errored on [sim:fail] and under failureRate 1', async () => {
    const marked = (await waitExecution(sim.url, await triggered({ prompt: 'x [sim:fail]' }))).json;
    expect(marked).toMatchObject({ status: 'errored', error: SIMULATED_FAILURE_MESSAGE, producedFiles: [] });
    sim.configure({ failureRate: 1 });
    expect((await waitExecution(sim.url, await triggered({ prompt: 'y' }))).json.status).toBe('errored');
  });

  it('stops at waiting_for_input, which /wait treats as not terminal, until resumed or cancelled', async () => {
    sim.configure({ maxWaitMs: 200 });
    const id = await triggered({ prompt: 'review me [sim:input]' });
    const began = Date.now();
    const paused = (await waitExecution(sim.url, id, 1000)).json;
    expect(Date.now() - began).toBeGreaterThanOrEqual(190);
    expect(paused).toMatchObject({ status: 'waiting_for_input', completedAt: null, durationMs: null });
    expect(sim.counters().activeRuns).toBe(1);
    const resumed = await artuCall(sim.url, `/_sim/artu/executions/${id}/resume`, { method: 'POST' });
    expect(resumed.json).toEqual({ id, status: 'completed' });
    expect((await waitExecution(sim.url, id)).json.producedFiles).toHaveLength(1);
    expect((await artuCall(sim.url, `/_sim/artu/executions/${id}/resume`, { method: 'POST' })).status).toBe(409);
    const synced = await trigger(sim.url, WF, { prompt: 'ask [sim:input] [sim:sync]' });
    expect(synced.json.status).toBe('waiting_for_input');
    const cancel = await artuCall(sim.url, `/workflows/executions/${synced.json.executionId}/cancel`, {
      method: 'POST',
    });
    expect(cancel.json).toEqual({ id: synced.json.executionId, status: 'cancelled' });
    expect(sim.counters().activeRuns).toBe(0);
  });

  it('cancels a running execution, idempotently, and 404s unknown or other-environment ids', async () => {
    const id = await triggered({ prompt: 'long [sim:duration=60000]' });
    const path = `/workflows/executions/${id}/cancel`;
    expect((await artuCall(sim.url, path, { method: 'POST' })).json).toEqual({ id, status: 'cancelled' });
    expect((await artuCall(sim.url, path, { method: 'POST' })).json).toEqual({ id, status: 'cancelled' });
    expect((await waitExecution(sim.url, id)).json).toMatchObject({ status: 'cancelled' });
    expect((await artuCall(sim.url, `/workflows/executions/${id}`, { environment: 'live' })).status).toBe(404);
    expect((await artuCall(sim.url, '/workflows/executions/nope/cancel', { method: 'POST' })).status).toBe(404);
    expect(sim.counters()).toMatchObject({ activeRuns: 0, requests: { 'artu.cancel': 3, 'artu.get': 1 } });
  });

  it('returns the running execution when the wait times out, and rejects timeoutMs outside 1000..60000', async () => {
    sim.configure({ maxWaitMs: 50 });
    const id = await triggered({ prompt: 'long [sim:duration=60000]' });
    expect((await waitExecution(sim.url, id, 1000)).json).toMatchObject({ id, status: 'running' });
    for (const t of ['999', '60001', 'soon']) {
      const res = await artuCall(sim.url, `/workflows/executions/${id}/wait?timeoutMs=${t}`);
      expect(res.status, t).toBe(400);
      expect(res.json.code).toBe('VALIDATION_ERROR');
    }
  });

  it('rejects a missing required input naming it, 404s an unknown workflow, warns on undeclared inputs', async () => {
    const missing = await trigger(sim.url, WF, { style: 'ink' });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'prompt' }] });
    expect(missing.json.message).toContain('prompt');
    const noType = await artuCall(sim.url, `/workflows/${WF}/trigger`, { body: { inputs: { prompt: 'x' } } });
    expect(noType.json).toMatchObject({ code: 'VALIDATION_ERROR', message: 'triggerType is required' });
    const unknown = await trigger(sim.url, '00000000-0000-4000-8000-000000000000', { prompt: 'x' });
    expect(unknown.status).toBe(404);
    const id = await triggered({ prompt: 'x', Prompt: 'y' });
    const { warnings } = (await artuCall(sim.url, `/workflows/executions/${id}`)).json;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'UNKNOWN_INPUT', field: 'Prompt' });
    expect(sim.counters().runsCreated).toBe(1);
  });
});

describe('Artu list', () => {
  it('lists one environment ascending by createdAt, filtered by createdAt.gte and paged by cursor', async () => {
    const early = await triggered({ prompt: 'early' });
    await new Promise((r) => setTimeout(r, 5));
    const gte = new Date().toISOString();
    const later: string[] = [];
    for (let i = 0; i < 5; i++) later.push(await triggered({ prompt: `late ${i}` }, { entityId: `row-${i}` }));
    await trigger(sim.url, WF, { prompt: 'other env' }, {}, { environment: 'live' });
    const list = (body: unknown) => artuCall<ListJson>(sim.url, '/workflows/executions/list', { body });
    const filter = { workflowId: WF, createdAt: { gte } };
    const first = (await list({ filter, limit: 2 })).json;
    expect(first.data.map((e) => e.id)).toEqual(later.slice(0, 2));
    expect(first.pagination).toMatchObject({ hasMore: true, totalCount: 5 });
    expect(first.pagination.nextCursor).toEqual(expect.any(String));
    const ids = [...first.data.map((e) => e.id)];
    let cursor = first.pagination.nextCursor;
    while (cursor) {
      const page = (await list({ filter, limit: 2, cursor })).json;
      ids.push(...page.data.map((e) => e.id));
      cursor = page.pagination.nextCursor;
      if (!page.pagination.hasMore) expect(cursor).toBeNull();
    }
    expect(ids).toEqual(later);
    const all = (await list({})).json;
    expect(all.data.map((e) => e.id)).toEqual([early, ...later]);
    expect((await list({ filter: { entityId: 'row-3' } })).json.data.map((e) => e.id)).toEqual([later[3]]);
    for (const bad of [{ limit: 101 }, { limit: 0 }, { cursor: 'garbage' }, { filter: { createdAt: { gte: 'x' } } }]) {
      expect((await list(bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });
});

describe('Artu faults and counters', () => {
  it('creates the run and drops the connection on drop-after-accept of artu.trigger, never on a rejected one', async () => {
    sim.configure({ faults: [{ kind: 'drop-after-accept', rate: 1, count: 1 }] });
    expect((await trigger(sim.url, WF, {})).status).toBe(400);
    await expect(trigger(sim.url, WF, { prompt: 'lost' })).rejects.toThrow();
    expect((await trigger(sim.url, WF, { prompt: 'kept' })).status).toBe(200);
    const counters = sim.counters();
    expect(counters).toMatchObject({ runsCreated: 2, faultsInjected: { 'drop-after-accept': 1 } });
    expect(counters.runsCreatedByFingerprint[inputFingerprint('artu', WF, { prompt: 'lost' })]).toBe(1);
    const listed = await artuCall<ListJson>(sim.url, '/workflows/executions/list', { body: {} });
    expect(listed.json.data.map((e) => e.inputs['prompt'])).toEqual(['lost', 'kept']);
  });

  it('answers injected 429s in Artu’s error shape with Retry-After', async () => {
    sim.configure({ faults: [{ kind: '429', rate: 1, retryAfterSeconds: 4, endpoints: ['artu.get'] }] });
    const res = await artuCall(sim.url, '/workflows/executions/any');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('4');
    expect(res.json).toEqual({ message: 'Too many requests', code: 'RATE_LIMITED' });
  });

  it('counts runs per workflow and fingerprint, the active-run peak and requests per endpoint', async () => {
    sim.configure({ runDurationMs: 150 });
    const rows = ['a', 'b', 'c'].map((prompt) => ({ prompt }));
    const ids = await Promise.all(rows.map((inputs) => triggered(inputs)));
    expect(sim.counters()).toMatchObject({ activeRuns: 3, peakActiveRuns: 3 });
    await Promise.all(ids.map((id) => waitExecution(sim.url, id)));
    const counters = sim.counters();
    expect(counters).toMatchObject({ runsCreated: 3, activeRuns: 0, runsCreatedByApp: { [`artu:${WF}`]: 3 } });
    for (const inputs of rows) expect(counters.runsCreatedByFingerprint[inputFingerprint('artu', WF, inputs)]).toBe(1);
    expect(counters.requests).toEqual({ 'artu.trigger': 3, 'artu.wait': 3 });
  });
});
