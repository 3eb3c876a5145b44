import { MockAgent } from 'undici';
import type { MockInterceptor } from 'undici/types/mock-interceptor.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clampWaitSeconds, createLaminaAdapter } from './adapter.js';
import type { ProviderAdapter } from '../types.js';

const KEY = 'lma_unit_secret_abcdef';
const ORIGIN = 'https://lamina.test';

const output = (over: Record<string, unknown> = {}) => ({
  id: 'node-1',
  label: 'AI Designer',
  type: 'image',
  value: 'https://cdn.test/a.png?sig=1',
  status: 'completed',
  error: null,
  ...over,
});
const execution = (over: Record<string, unknown> = {}) => ({
  runId: 'run-1',
  workflowId: 'wf-1',
  status: 'completed',
  outputs: [output()],
  errorMessage: null,
  startedAt: '2026-04-18T14:30:00.000Z',
  completedAt: '2026-04-18T14:32:15.000Z',
  createdAt: '2026-04-18T14:29:59.000Z',
  ...over,
});

describe('Lamina adapter', () => {
  let mock: MockAgent;
  let lamina: ProviderAdapter;
  const intercept = (path: string | RegExp | ((p: string) => boolean), method = 'GET') =>
    mock.get(ORIGIN).intercept({ path, method, headers: { 'x-api-key': KEY } });
  const reply = (i: MockInterceptor, status: number, body: unknown) => i.reply(status, JSON.stringify(body));

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
    lamina = createLaminaAdapter({ apiKey: KEY, baseUrl: `${ORIGIN}/`, dispatcher: mock });
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('describes an app: inputs keyed by name, aliases, options as labels', async () => {
    reply(intercept('/v1/apps/app%201'), 200, {
      data: {
        appId: 'app 1',
        name: 'Product shots',
        parameters: [
          { id: 'p1', key: 'upload', name: 'Upload', type: 'url', required: true },
          { id: 'p2', name: 'Style', type: 'options', required: false, options: ['Pixar', 'Anime'], default: 'Pixar' },
          {
            id: 'p3',
            key: 'p3',
            name: 'Aspect Ratio',
            type: 'options',
            required: true,
            options: [{ label: '1:1', value: 'sq' }],
          },
          { id: 'p4', name: 'Seed', type: 'slider', required: false, extra: 'ignored' },
        ],
        outputs: [{ label: 'AI Designer', type: 'image' }],
      },
    });
    const app = await lamina.getApp('app 1');
    expect(app?.parameters).toEqual([
      {
        inputKey: 'Upload',
        aliases: ['Upload', 'upload', 'p1'],
        label: 'Upload',
        type: 'url',
        required: true,
        options: null,
        default: null,
      },
      {
        inputKey: 'Style',
        aliases: ['Style', 'p2'],
        label: 'Style',
        type: 'options',
        required: false,
        options: ['Pixar', 'Anime'],
        default: 'Pixar',
      },
      {
        inputKey: 'Aspect Ratio',
        aliases: ['Aspect Ratio', 'p3'],
        label: 'Aspect Ratio',
        type: 'options',
        required: true,
        options: ['1:1'],
        default: null,
      },
      {
        inputKey: 'Seed',
        aliases: ['Seed', 'p4'],
        label: 'Seed',
        type: 'unknown',
        required: false,
        options: null,
        default: null,
      },
    ]);
    expect(app).toMatchObject({
      appId: 'app 1',
      name: 'Product shots',
      outputs: [{ label: 'AI Designer', type: 'image' }],
    });
  });

  it('starts a run with the inputs and the webhook, accepting 202 with a queued snapshot', async () => {
    let sent: unknown;
    intercept(
      (p) => p === `/v1/apps/app-1/runs?webhook=${encodeURIComponent('https://hook.test/l?x=1')}`,
      'POST',
    ).reply((opts) => {
      sent = JSON.parse(opts.body as string);
      return {
        statusCode: 202,
        data: JSON.stringify({
          data: execution({ status: 'queued', outputs: [output({ type: 'pending', value: null, status: 'pending' })] }),
        }),
      };
    });
    const res = await lamina.startRun('app-1', { Style: 'Pixar' }, { webhookUrl: 'https://hook.test/l?x=1' });
    expect(sent).toEqual({ inputs: { Style: 'Pixar' } });
    expect(res.runId).toBe('run-1');
    expect(res.snapshot).toMatchObject({ state: 'queued', terminal: false, providerStatus: 'queued' });
  });

  it('accepts a 200 start whose body is only partly a snapshot: the run id is what counts', async () => {
    reply(intercept('/v1/apps/app-1/runs', 'POST'), 200, { data: { runId: 'run-2', status: 'weird' } });
    expect(await lamina.startRun('app-1', {})).toEqual({ runId: 'run-2', snapshot: null });
  });

  const cases: [string, Record<string, unknown>, string, boolean][] = [
    ['queued', { status: 'queued', outputs: [] }, 'queued', false],
    [
      'running',
      { status: 'running', outputs: [output({ type: 'pending', value: null, status: 'pending' })] },
      'running',
      false,
    ],
    ['completed', {}, 'succeeded', true],
    [
      'completed with a failed output',
      { outputs: [output(), output({ type: 'pending', value: null, status: 'error', error: 'NSFW' })] },
      'partial',
      true,
    ],
    [
      'completed with only failed outputs',
      { outputs: [output({ type: 'pending', value: null, status: 'error', error: 'NSFW' })] },
      'failed',
      true,
    ],
    ['failed', { status: 'failed', errorMessage: 'boom', outputs: [] }, 'failed', true],
    ['cancelled', { status: 'cancelled', outputs: [] }, 'cancelled', true],
  ];
  for (const [name, over, state, terminal] of cases) {
    it(`maps a ${name} run to ${state}`, async () => {
      reply(intercept('/v1/runs/run-1'), 200, { data: execution(over) });
      const snap = await lamina.getRun('run-1');
      expect(snap).toMatchObject({ state, terminal, runId: 'run-1' });
    });
  }

  it('decides terminal from the status, not from outputs being present', async () => {
    reply(intercept('/v1/runs/run-1'), 200, { data: execution({ status: 'running' }) });
    expect(await lamina.getRun('run-1')).toMatchObject({ state: 'running', terminal: false });
  });

  it('maps outputs: media URLs, text content, failed outputs judged by status', async () => {
    const outputs = [
      output(),
      output({ id: 'n2', type: 'video', value: 'https://cdn.test/v.mp4' }),
      output({ id: 'n3', label: 'Caption', type: 'text', value: 'A red shoe' }),
      output({ id: 'n4', type: 'pending', value: null, status: 'error', error: 'blocked' }),
    ];
    reply(intercept('/v1/runs/run-1'), 200, {
      data: execution({
        outputs,
        progress: { totalOutputs: 4, completedOutputs: 3, failedOutputs: 1, percentComplete: 100 },
      }),
    });
    const snap = await lamina.getRun('run-1');
    expect(snap.outputs).toEqual([
      {
        id: 'node-1',
        label: 'AI Designer',
        type: 'image',
        url: 'https://cdn.test/a.png?sig=1',
        text: null,
        status: 'completed',
        error: null,
      },
      {
        id: 'n2',
        label: 'AI Designer',
        type: 'video',
        url: 'https://cdn.test/v.mp4',
        text: null,
        status: 'completed',
        error: null,
      },
      { id: 'n3', label: 'Caption', type: 'text', url: null, text: 'A red shoe', status: 'completed', error: null },
      { id: 'n4', label: 'AI Designer', type: 'pending', url: null, text: null, status: 'error', error: 'blocked' },
    ]);
    expect(snap).toMatchObject({
      state: 'partial',
      errorMessage: 'blocked',
      progress: { percentComplete: 100 },
      records: null,
    });
    expect(snap).toMatchObject({ createdAt: '2026-04-18T14:29:59.000Z', completedAt: '2026-04-18T14:32:15.000Z' });
  });

  it('returns the non-terminal snapshot when the wait times out, and clamps the wait to 1..120 s', async () => {
    reply(intercept('/v1/runs/run-1/wait?timeout=120'), 200, {
      data: execution({ status: 'running', outputs: [] }),
      timeout: true,
    });
    expect(await lamina.waitRun('run-1', { timeoutSeconds: 500 })).toMatchObject({ state: 'running', terminal: false });
    reply(intercept('/v1/runs/run-1/wait?timeout=1'), 200, { data: execution() });
    expect(await lamina.waitRun('run-1', { timeoutSeconds: 0 })).toMatchObject({ state: 'succeeded', terminal: true });
    expect([clampWaitSeconds(60.4), clampWaitSeconds(Number.NaN), clampWaitSeconds(-5)]).toEqual([60, 60, 1]);
  });

  it('follows list pagination over every page and de-duplicates runs', async () => {
    const run = (i: number) => ({
      runId: `r${i}`,
      workflowId: 'wf',
      status: 'completed',
      errorMessage: null,
      startedAt: null,
      completedAt: null,
      createdAt: `2026-04-18T14:00:0${i}Z`,
    });
    const page = (offset: number) =>
      `/v1/runs?appId=app-1&since=${encodeURIComponent('2026-04-18T14:00:00Z')}&limit=100&offset=${offset}`;
    reply(intercept(page(0)), 200, { data: [run(1), run(2)], pagination: { total: 5, limit: 100, offset: 0 } });
    reply(intercept(page(2)), 200, { data: [run(2), run(3)], pagination: { total: 5, limit: 100, offset: 2 } });
    reply(intercept(page(4)), 200, { data: [run(4)], pagination: { total: 5, limit: 100, offset: 4 } });
    const runs = await lamina.listRuns!({ appId: 'app-1', since: '2026-04-18T14:00:00Z' });
    expect(runs.map((r) => r.runId)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(runs[0]).toEqual({
      runId: 'r1',
      providerStatus: 'completed',
      createdAt: '2026-04-18T14:00:01Z',
      inputs: null,
    });
  });

  it('stops listing on an empty page even when the total promises more', async () => {
    reply(
      intercept((p) => p.includes('offset=0')),
      200,
      { data: [], pagination: { total: 3, limit: 100, offset: 0 } },
    );
    expect(await lamina.listRuns!({ appId: 'app-1', since: '2026-01-01T00:00:00Z' })).toEqual([]);
  });

  it('cancels a run with one POST', async () => {
    reply(intercept('/v1/runs/run-1/cancel', 'POST'), 200, { data: { runId: 'run-1', status: 'cancelled' } });
    await expect(lamina.cancelRun!('run-1')).resolves.toBeUndefined();
  });
});
