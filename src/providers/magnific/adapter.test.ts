import { MockAgent } from 'undici';
import type { MockInterceptor } from 'undici/types/mock-interceptor.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMagnificAdapter, MAGNIFIC_POLL_INTERVAL_MS } from './adapter.js';
import { TokenBucket } from '../rate-limit.js';
import type { ProviderAdapter } from '../types.js';

const KEY = 'mgn_unit_secret_abcdef012345';
const ORIGIN = 'https://magnific.test';

const asset = (id: string, url = `https://cdn.test/${id}.png?token=sig`) => ({
  id,
  url,
  tool: 'text-to-image',
  width: 6,
  height: 1,
  duration: 0.8,
  created_at: '2026-02-11T10:14:15.000Z',
});
const run = (over: Record<string, unknown> = {}) => ({
  data: {
    run_id: 'omps2OH829',
    app_id: 'uqzQLDr2Aw',
    status: 'completed',
    started_at: '2026-02-25T12:00:00.000Z',
    completed_at: '2026-02-25T12:02:00.000Z',
    error_message: null,
    result: { images: [], videos: [], audios: [] },
    ...over,
  },
});

describe('Magnific adapter', () => {
  let mock: MockAgent;
  let magnific: ProviderAdapter;
  const intercept = (path: string, method = 'GET', header = 'x-magnific-api-key') =>
    mock.get(ORIGIN).intercept({ path, method, headers: { [header]: KEY } });
  const reply = (i: MockInterceptor, status: number, body: unknown) => i.reply(status, JSON.stringify(body));

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
    magnific = createMagnificAdapter({ apiKey: KEY, baseUrl: `${ORIGIN}/`, dispatcher: mock });
  });
  afterEach(async () => {
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('polls every 4 s and offers neither list nor cancel', () => {
    expect(MAGNIFIC_POLL_INTERVAL_MS).toBe(4000);
    expect(magnific).toMatchObject({ provider: 'magnific', waitMode: 'poll', pollIntervalMs: 4000 });
    expect('listRuns' in magnific).toBe(false);
    expect('cancelRun' in magnific).toBe(false);
  });

  it('describes an app: inputs keyed by id, aliases label/key/id without repeats, select options', async () => {
    reply(intercept('/v1/ai/apps/uqzQLDr2Aw'), 200, {
      data: {
        sqid: 'uqzQLDr2Aw',
        name: 'Product shots',
        inputs: [
          { id: 'input-1111-1', key: 'prompt', type: 'text', label: 'Prompt', default: '', required: true },
          { id: 'input-2222-1', key: 'ratio', type: 'select', label: 'ratio', required: false, options: ['1:1', 16] },
          { id: 'input-3333-1', key: 'steps', type: 'number', label: 'Steps', default: 30, required: false },
          { id: 'input-4444-1', key: null, type: 'creation', label: null, default: null, required: true },
          { id: 'input-5555-1', key: 'x', type: 'slider', label: 'X', options: [{ label: 'A', value: 'a' }] },
        ],
        tool_metadata: { total_cost: 3 },
      },
    });
    const app = await magnific.getApp('uqzQLDr2Aw');
    expect(app).toMatchObject({ appId: 'uqzQLDr2Aw', name: 'Product shots', outputs: [] });
    expect(app?.parameters).toEqual([
      {
        inputKey: 'input-1111-1',
        aliases: ['Prompt', 'prompt', 'input-1111-1'],
        label: 'Prompt',
        type: 'text',
        required: true,
        options: null,
        default: '',
      },
      {
        inputKey: 'input-2222-1',
        aliases: ['ratio', 'input-2222-1'],
        label: 'ratio',
        type: 'select',
        required: false,
        options: ['1:1', '16'],
        default: null,
      },
      {
        inputKey: 'input-3333-1',
        aliases: ['Steps', 'steps', 'input-3333-1'],
        label: 'Steps',
        type: 'number',
        required: false,
        options: null,
        default: 30,
      },
      {
        inputKey: 'input-4444-1',
        aliases: ['input-4444-1'],
        label: 'input-4444-1',
        type: 'creation',
        required: true,
        options: null,
        default: null,
      },
      {
        inputKey: 'input-5555-1',
        aliases: ['X', 'x', 'input-5555-1'],
        label: 'X',
        type: 'unknown',
        required: false,
        options: null,
        default: null,
      },
    ]);
  });

  it('starts a run with inputs and webhook and takes the unwrapped 202 identifier', async () => {
    let sent: unknown;
    intercept('/v1/ai/apps/app%2F1/run', 'POST').reply((opts) => {
      sent = JSON.parse(opts.body as string);
      return { statusCode: 202, data: JSON.stringify({ status: 'running', workflow_run_identifier: 'omps2OH829' }) };
    });
    const res = await magnific.startRun('app/1', { 'input-1111-1': 'a cat' }, { webhookUrl: 'https://hook.test/m' });
    expect(sent).toEqual({ inputs: { 'input-1111-1': 'a cat' }, webhook: 'https://hook.test/m' });
    expect(res).toEqual({ runId: 'omps2OH829', snapshot: null });
    reply(intercept('/v1/ai/apps/a/run', 'POST'), 202, { data: { workflow_run_identifier: 'wrapped1' } });
    expect(await magnific.startRun('a', {})).toEqual({ runId: 'wrapped1', snapshot: null });
  });

  it('sends no webhook field without a webhook', async () => {
    mock
      .get(ORIGIN)
      .intercept({ path: '/v1/ai/apps/a/run', method: 'POST', body: JSON.stringify({ inputs: { k: 1 } }) })
      .reply(202, { workflow_run_identifier: 'r1' });
    expect((await magnific.startRun('a', { k: 1 })).runId).toBe('r1');
  });

  const cases: [string, string, boolean][] = [
    ['pending', 'queued', false],
    ['running', 'running', false],
    ['completed', 'succeeded', true],
    ['completed_with_errors', 'partial', true],
    ['failed', 'failed', true],
    ['cancelled', 'cancelled', true],
  ];
  for (const [status, state, terminal] of cases) {
    it(`maps ${status} to ${state}${terminal ? ' (terminal)' : ' (not terminal)'}`, async () => {
      reply(intercept('/v1/ai/apps/runs/omps2OH829'), 200, run({ status }));
      const snap = await magnific.getRun('omps2OH829');
      expect(snap).toMatchObject({ runId: 'omps2OH829', providerStatus: status, state, terminal });
    });
  }

  it('turns every image, video and audio into an output labelled by kind and position', async () => {
    reply(
      intercept('/v1/ai/apps/runs/r1'),
      200,
      run({
        run_id: 'r1',
        status: 'completed_with_errors',
        error_message: 'node 3 failed',
        result: { images: [asset('i1'), asset('i2')], videos: [asset('v1', 'https://cdn.test/v.mp4')], audios: null },
      }),
    );
    const snap = await magnific.getRun('r1');
    const out = (id: string, label: string, type: string, url: string) => ({
      id,
      label,
      type,
      url,
      text: null,
      status: 'completed',
      error: null,
    });
    expect(snap.outputs).toEqual([
      out('i1', 'image-1', 'image', 'https://cdn.test/i1.png?token=sig'),
      out('i2', 'image-2', 'image', 'https://cdn.test/i2.png?token=sig'),
      out('v1', 'video-1', 'video', 'https://cdn.test/v.mp4'),
    ]);
    expect(snap).toMatchObject({
      state: 'partial',
      errorMessage: 'node 3 failed',
      createdAt: '2026-02-25T12:00:00.000Z',
      completedAt: '2026-02-25T12:02:00.000Z',
      records: null,
    });
  });

  it('waits with one status read, whatever the timeout', async () => {
    reply(intercept('/v1/ai/apps/runs/r1'), 200, run({ run_id: 'r1', status: 'running', result: null }));
    expect(await magnific.waitRun('r1', { timeoutSeconds: 120 })).toMatchObject({ state: 'running', terminal: false });
  });

  it('sends the key under a configured header name (older Freepik host)', async () => {
    const freepik = createMagnificAdapter({
      apiKey: KEY,
      baseUrl: ORIGIN,
      apiKeyHeader: 'X-Freepik-API-Key',
      dispatcher: mock,
    });
    reply(intercept('/v1/ai/apps/runs/r1', 'GET', 'x-freepik-api-key'), 200, run({ run_id: 'r1' }));
    expect(await freepik.getRun('r1')).toMatchObject({ state: 'succeeded' });
  });

  it('delays requests over the rate limit instead of failing them', async () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 50 });
    const limited = createMagnificAdapter({ apiKey: KEY, baseUrl: ORIGIN, dispatcher: mock, rateLimit: bucket });
    for (let i = 0; i < 4; i++) reply(intercept('/v1/ai/apps/runs/r1'), 200, run({ run_id: 'r1' }));
    const snaps = await Promise.all([1, 2, 3, 4].map(() => limited.getRun('r1')));
    expect(snaps.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });
});
