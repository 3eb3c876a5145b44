import { MockAgent } from 'undici';
import type { MockInterceptor } from 'undici/types/mock-interceptor.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clampArtuWaitMs, createArtuAdapter } from './adapter.js';
import type { ProviderAdapter } from '../types.js';

const KEY = 'artu_unit_secret_0123456789';
const ORIGIN = 'https://artu.test';
const EXEC_ID = '3c90c3cc-0d44-4b50-8888-8dd25736052a';

const artuExecution = (over: Record<string, unknown> = {}) => ({
  id: EXEC_ID,
  organizationId: 'org-1',
  environment: 'test',
  workflowId: 'wf-1',
  eventId: 'ev-1',
  triggerType: 'manual',
  entityType: null,
  entityId: null,
  eventType: null,
  status: 'completed',
  error: null,
  alertIds: [],
  durationMs: 1200,
  initiatedBy: null,
  createdAt: '2026-04-18T14:29:59.000Z',
  completedAt: '2026-04-18T14:32:15.000Z',
  producedRecords: [],
  producedFiles: [],
  inputs: { prompt: 'a red shoe' },
  ...over,
});

describe('Artu adapter', () => {
  let mock: MockAgent;
  let artu: ProviderAdapter;
  const intercept = (path: string | ((p: string) => boolean), method = 'GET') =>
    mock.get(ORIGIN).intercept({ path, method, headers: { authorization: `Bearer ${KEY}`, 'x-environment': 'test' } });
  const reply = (i: MockInterceptor, status: number, body: unknown) => i.reply(status, JSON.stringify(body));
  const execPath = `/workflows/executions/${EXEC_ID}`;

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
    artu = createArtuAdapter({ apiKey: KEY, environment: 'test', baseUrl: `${ORIGIN}/`, dispatcher: mock });
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('says how to wait and that it cannot describe workflows, without a request', async () => {
    expect(artu).toMatchObject({ provider: 'artu', waitMode: 'long-poll' });
    expect(typeof artu.listRuns).toBe('function');
    expect(typeof artu.cancelRun).toBe('function');
    await expect(artu.getApp('wf-1')).resolves.toBeNull();
  });

  it('triggers with both auth headers and the manual trigger type, keeping a queued snapshot', async () => {
    let sent: unknown;
    intercept('/workflows/wf%201/trigger', 'POST').reply((opts) => {
      sent = JSON.parse(opts.body as string);
      return {
        statusCode: 200,
        data: JSON.stringify({ ok: true, executionId: EXEC_ID, status: 'queued', error: null }),
      };
    });
    const res = await artu.startRun('wf 1', { prompt: 'a red shoe' });
    expect(sent).toEqual({ triggerType: 'manual', inputs: { prompt: 'a red shoe' } });
    expect(res.runId).toBe(EXEC_ID);
    expect(res.snapshot).toMatchObject({ runId: EXEC_ID, state: 'queued', terminal: false, outputs: [] });
  });

  it('uses the configured trigger type and the live environment', async () => {
    const live = createArtuAdapter({
      apiKey: KEY,
      environment: 'live',
      baseUrl: ORIGIN,
      triggerType: 'api',
      dispatcher: mock,
    });
    mock
      .get(ORIGIN)
      .intercept({
        path: '/workflows/wf-1/trigger',
        method: 'POST',
        headers: { 'x-environment': 'live' },
        body: (b) => (JSON.parse(b) as { triggerType: string }).triggerType === 'api',
      })
      .reply(200, { executionId: EXEC_ID });
    expect(await live.startRun('wf-1', {})).toEqual({ runId: EXEC_ID, snapshot: null });
  });

  it('takes a trigger that already completed as a terminal snapshot with its files and records', async () => {
    reply(intercept('/workflows/wf-1/trigger', 'POST'), 200, {
      ok: true,
      workflowId: 'wf-1',
      executionId: EXEC_ID,
      status: 'completed',
      error: null,
      alertIds: [],
      durationMs: 900,
      producedRecords: [{ sku: 'A1', score: 0.9 }],
      producedFiles: [{ id: 'f1', name: 'shot.png', mimeType: 'image/png', url: 'https://files.test/shot.png?sig=x' }],
    });
    const { runId, snapshot } = await artu.startRun('wf-1', {});
    expect(runId).toBe(EXEC_ID);
    expect(snapshot).toMatchObject({ state: 'succeeded', terminal: true, providerStatus: 'completed' });
    expect(snapshot?.outputs).toEqual([
      {
        id: 'f1',
        label: 'shot.png',
        type: 'image',
        url: 'https://files.test/shot.png?sig=x',
        text: null,
        status: 'completed',
        error: null,
      },
    ]);
    expect(snapshot?.records).toEqual([{ sku: 'A1', score: 0.9 }]);
  });

  const cases: [string, string, boolean][] = [
    ['queued', 'queued', false],
    ['running', 'running', false],
    ['waiting_for_input', 'needs_input', false],
    ['completed', 'succeeded', true],
    ['errored', 'failed', true],
    ['timed_out', 'failed', true],
    ['abandoned', 'failed', true],
    ['cancelled', 'cancelled', true],
  ];
  for (const [status, state, terminal] of cases) {
    it(`maps ${status} to ${state}${terminal ? ' (terminal)' : ' (not terminal)'}`, async () => {
      reply(intercept(execPath), 200, artuExecution({ status, producedFiles: undefined, producedRecords: undefined }));
      const snap = await artu.getRun(EXEC_ID);
      expect(snap).toMatchObject({ runId: EXEC_ID, providerStatus: status, state, terminal, records: null });
    });
  }

  it("keeps Artu's error text, and explains a failure that came without one", async () => {
    reply(intercept(execPath), 200, artuExecution({ status: 'errored', error: 'Node "resize" failed: 422' }));
    expect((await artu.getRun(EXEC_ID)).errorMessage).toBe('Node "resize" failed: 422');
    reply(intercept(execPath), 200, artuExecution({ status: 'timed_out', error: null }));
    expect((await artu.getRun(EXEC_ID)).errorMessage).toBe('the execution ended as timed_out');
    reply(intercept(execPath), 200, artuExecution({ status: 'completed', error: '' }));
    expect(await artu.getRun(EXEC_ID)).toMatchObject({ errorMessage: null, createdAt: '2026-04-18T14:29:59.000Z' });
  });

  it('clamps the wait to 1000..60000 ms and gives the request more time than the wait', async () => {
    reply(intercept(`${execPath}/wait?timeoutMs=60000`), 200, artuExecution({ status: 'running' }));
    expect(await artu.waitRun(EXEC_ID, { timeoutSeconds: 120 })).toMatchObject({ state: 'running', terminal: false });
    reply(intercept(`${execPath}/wait?timeoutMs=1000`), 200, artuExecution({ status: 'waiting_for_input' }));
    expect(await artu.waitRun(EXEC_ID, { timeoutSeconds: 0 })).toMatchObject({ state: 'needs_input', terminal: false });
    reply(intercept(`${execPath}/wait?timeoutMs=25500`), 200, artuExecution());
    expect(await artu.waitRun(EXEC_ID, { timeoutSeconds: 25.5 })).toMatchObject({ state: 'succeeded' });
    expect([clampArtuWaitMs(Number.NaN), clampArtuWaitMs(-1), clampArtuWaitMs(1e9)]).toEqual([60000, 1000, 60000]);
  });

  it('times a long-poll out only after the wait plus a margin', async () => {
    const slow = createArtuAdapter({
      apiKey: KEY,
      environment: 'test',
      baseUrl: ORIGIN,
      requestTimeoutMs: 50,
      dispatcher: mock,
    });
    reply(intercept(`${execPath}/wait?timeoutMs=1000`), 200, artuExecution()).delay(200);
    await expect(slow.waitRun(EXEC_ID, { timeoutSeconds: 1 })).resolves.toMatchObject({ state: 'succeeded' });
  });

  it('lists executions over every cursor page with their inputs', async () => {
    const bodies: unknown[] = [];
    const page = (data: unknown[], pagination: Record<string, unknown>) => (opts: { body?: unknown }) => {
      bodies.push(JSON.parse(opts.body as string));
      return { statusCode: 200, data: JSON.stringify({ data, pagination }) };
    };
    const item = (id: string, inputs?: Record<string, unknown>) =>
      artuExecution({ id, status: 'running', createdAt: `2026-04-18T14:00:0${id.slice(1)}Z`, inputs });
    intercept(LIST, 'POST').reply(page([item('e1', { prompt: 'a' }), item('e2')], { hasMore: true, nextCursor: 'c2' }));
    intercept(LIST, 'POST').reply(
      page([item('e2'), item('e3', { prompt: 'b' }), { ...item('e4'), workflowId: 'other-wf' }], {
        hasMore: false,
        nextCursor: null,
        totalCount: 4,
      }),
    );
    const runs = await artu.listRuns!({ appId: 'wf-1', since: '2026-04-18T14:00:00Z' });
    expect(runs).toEqual([
      { runId: 'e1', providerStatus: 'running', createdAt: '2026-04-18T14:00:01Z', inputs: { prompt: 'a' } },
      { runId: 'e2', providerStatus: 'running', createdAt: '2026-04-18T14:00:02Z', inputs: {} },
      { runId: 'e3', providerStatus: 'running', createdAt: '2026-04-18T14:00:03Z', inputs: { prompt: 'b' } },
    ]);
    const filter = { workflowId: 'wf-1', createdAt: { gte: '2026-04-18T14:00:00Z' } };
    expect(bodies).toEqual([
      { filter, limit: 100 },
      { filter, limit: 100, cursor: 'c2' },
    ]);
  });

  it('refuses a pagination that promises more without a new cursor', async () => {
    reply(intercept(LIST, 'POST'), 200, { data: [], pagination: { hasMore: true, nextCursor: null } });
    await expect(artu.listRuns!({ appId: 'wf-1', since: '2026-01-01T00:00:00Z' })).rejects.toThrow(
      'artu: POST /workflows/executions/list answered outside its contract: field pagination.nextCursor is missing while hasMore is true',
    );
    reply(intercept(LIST, 'POST'), 200, { data: [], pagination: { hasMore: true, nextCursor: 'same' } });
    reply(intercept(LIST, 'POST'), 200, { data: [], pagination: { hasMore: true, nextCursor: 'same' } });
    await expect(artu.listRuns!({ appId: 'wf-1', since: '2026-01-01T00:00:00Z' })).rejects.toThrow(
      'field pagination.nextCursor repeats an earlier cursor',
    );
  });

  it('cancels an execution with one POST', async () => {
    reply(intercept(`${execPath}/cancel`, 'POST'), 200, { id: EXEC_ID, status: 'cancelled' });
    await expect(artu.cancelRun!(EXEC_ID)).resolves.toBeUndefined();
  });
});

const LIST = '/workflows/executions/list';
