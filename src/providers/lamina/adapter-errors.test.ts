import { MockAgent } from 'undici';
import type { MockInterceptor } from 'undici/types/mock-interceptor.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderProtocolError } from '../errors.js';
import type { ProviderHttpError } from '../errors.js';
import { createLaminaAdapter } from './adapter.js';
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

describe('Lamina adapter errors', () => {
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

  it('names the field when a start answer has no run id', async () => {
    reply(intercept('/v1/apps/app-1/runs', 'POST'), 202, { data: { status: 'queued' } });
    const err = await lamina.startRun('app-1', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderProtocolError);
    expect((err as ProviderProtocolError).message).toBe(
      'lamina: POST /v1/apps/app-1/runs answered outside its contract: field data.runId is missing',
    );
    expect((err as ProviderProtocolError).status).toBe(202);
  });

  it('names the endpoint and field of a missing or wrong-typed required field', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ data: execution({ status: 42 }) }, 'field data.status is invalid'],
      [{ data: execution({ status: 'paused' }) }, 'field data.status is invalid: Invalid option: expected one of'],
      [{ data: execution({ outputs: undefined }) }, 'field data.outputs is missing on a completed run'],
      [{ data: execution({ outputs: [output({ status: undefined })] }) }, 'field data.outputs.0.status is missing'],
      [{ data: execution({ runId: undefined }) }, 'field data.runId is missing'],
      [{ run: execution() }, 'field data is missing'],
    ];
    for (const [body] of bad) reply(intercept('/v1/runs/run-1'), 200, body);
    for (const [, problem] of bad) {
      const err = await lamina.getRun('run-1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderProtocolError);
      expect((err as Error).message).toContain(`lamina: GET /v1/runs/run-1 answered outside its contract: ${problem}`);
    }
  });

  it('keeps the key out of every error, whatever the provider echoes', async () => {
    reply(intercept('/v1/runs/run-1'), 401, { error: `invalid key ${KEY}`, code: 'AUTH_INVALID_KEY', details: [KEY] });
    reply(intercept('/v1/runs/run-1'), 200, { data: execution({ status: KEY }) });
    mock
      .get(ORIGIN)
      .intercept({ path: '/v1/runs/run-1', method: 'GET' })
      .replyWithError(Object.assign(new Error(`reset ${KEY}`), { code: 'ECONNRESET' }));
    for (let i = 0; i < 3; i++) {
      const err = (await lamina.getRun('run-1').catch((e: unknown) => e)) as Error;
      const cause = err.cause as Error | undefined;
      expect(err.name).toMatch(/^Provider/);
      for (const text of [
        JSON.stringify(err),
        err.message,
        err.stack,
        JSON.stringify(cause),
        cause?.message,
        cause?.stack,
      ]) {
        expect(text ?? '').not.toContain(KEY);
      }
    }
  });

  it('surfaces HTTP errors of reads as ProviderHttpError', async () => {
    reply(intercept('/v1/runs/missing'), 404, {
      error: 'Run not found',
      code: 'NOT_FOUND',
      retryable: false,
      requestId: 'q1',
    });
    const err = (await lamina.getRun('missing').catch((e: unknown) => e)) as ProviderHttpError;
    expect(err.message).toBe('lamina: GET /v1/runs/missing failed with 404 NOT_FOUND: Run not found');
  });
});
describe('Lamina long-poll timing', () => {
  it('gives the long-poll its wait time plus a margin, beyond the ordinary request timeout', async () => {
    const { createServer } = await import('node:http');
    const { Agent } = await import('undici');
    const server = createServer((_q, s) => {
      setTimeout(
        () =>
          s.writeHead(200).end(JSON.stringify({ data: execution({ status: 'running', outputs: [] }), timeout: true })),
        2_000,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const agent = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    try {
      const lamina = createLaminaAdapter({
        apiKey: KEY,
        baseUrl: `http://127.0.0.1:${port}`,
        requestTimeoutMs: 300,
        dispatcher: agent,
      });
      await expect(lamina.waitRun('run-1', { timeoutSeconds: 1 })).resolves.toMatchObject({ terminal: false });
      await expect(lamina.getRun('run-1')).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    } finally {
      server.closeAllConnections();
      server.close();
      await agent.close();
    }
  });
});
