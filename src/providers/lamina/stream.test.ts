import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderAbortedError, ProviderHttpError } from '../errors.js';
import { createLaminaAdapter } from './adapter.js';
import type { ProviderAdapter, RunSnapshot, StreamEnd } from '../types.js';

const KEY = 'lma_stream_secret_0123456789';

const execution = (over: Record<string, unknown> = {}) => ({
  runId: 'run-1',
  workflowId: 'wf-1',
  status: 'completed',
  outputs: [
    { id: 'n1', label: 'Shot', type: 'image', value: 'https://cdn.test/a.png', status: 'completed', error: null },
  ],
  errorMessage: null,
  startedAt: '2026-04-18T14:30:00.000Z',
  completedAt: '2026-04-18T14:32:15.000Z',
  createdAt: '2026-04-18T14:29:59.000Z',
  ...over,
});
const running = (percent: number) =>
  execution({
    status: 'running',
    completedAt: null,
    outputs: [{ id: 'n1', label: 'Shot', type: 'pending', value: null, status: 'pending', error: null }],
    progress: { totalOutputs: 1, completedOutputs: 0, failedOutputs: 0, percentComplete: percent },
  });
const sse = (event: string, data: unknown) =>
  `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('Lamina streamRun over loopback HTTP', () => {
  let server: Server;
  let agent: Agent;
  let handler: Handler;
  let seen: IncomingMessage[];
  let lamina: ProviderAdapter;
  const open = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
  const stream = (opts: { signal?: AbortSignal } = {}) => {
    const progress: RunSnapshot[] = [];
    let pings = 0;
    const end = lamina.streamRun!('run-1', { ...opts, onProgress: (s) => progress.push(s), onPing: () => pings++ });
    return { end, progress, pings: () => pings };
  };
  const reasonOf = (end: StreamEnd) => (end.kind === 'disconnected' ? end.reason : `not disconnected: ${end.kind}`);

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    agent = new Agent();
    const { port } = server.address() as AddressInfo;
    lamina = createLaminaAdapter({
      apiKey: KEY,
      baseUrl: `http://127.0.0.1:${port}/prefix/`,
      streamIdleTimeoutMs: 300,
      dispatcher: agent,
    });
  });
  beforeEach(() => {
    seen = [];
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });

  it('reports each progress event mapped like getRun, then ends with the complete event', async () => {
    handler = (_req, res) => {
      open(res);
      res.write(sse('progress', running(0)));
      // One event split over two writes, and an unknown event that must be ignored.
      const second = sse('progress', running(50));
      res.write(second.slice(0, 20));
      setTimeout(() => {
        res.write(second.slice(20));
        res.write(sse('heartbeat', 'whatever'));
        res.end(sse('complete', execution()));
      }, 20);
    };
    const s = stream();
    const end = await s.end;
    expect(end.kind).toBe('terminal');
    if (end.kind !== 'terminal') return;
    expect(end.snapshot).toMatchObject({ runId: 'run-1', state: 'succeeded', terminal: true });
    expect(end.snapshot.outputs[0]?.url).toBe('https://cdn.test/a.png');
    expect(s.progress.map((p) => [p.state, p.terminal, p.progress?.percentComplete])).toEqual([
      ['running', false, 0],
      ['running', false, 50],
    ]);
    expect(seen[0]?.url).toBe('/prefix/v1/runs/run-1/stream');
    expect(seen[0]?.headers['x-api-key']).toBe(KEY);
    expect(seen[0]?.headers.accept).toBe('text/event-stream');
  });

  it('ends with the error event of a failed or cancelled run as a terminal snapshot', async () => {
    for (const status of ['failed', 'cancelled']) {
      handler = (_req, res) => {
        open(res);
        res.end(sse('error', execution({ status, errorMessage: 'boom', outputs: [] })));
      };
      const end = await stream().end;
      expect(end.kind === 'terminal' && [end.snapshot.state, end.snapshot.errorMessage]).toEqual([status, 'boom']);
    }
  });

  it('returns timeout on the provider’s own timeout event, and counts pings', async () => {
    handler = (_req, res) => {
      open(res);
      res.write(sse('ping', 1767225600));
      res.write(sse('ping', 1767225615));
      res.write(sse('timeout', { message: 'Stream timeout after 10 minutes' }));
    };
    const s = stream();
    expect(await s.end).toEqual({ kind: 'timeout' });
    expect(s.pings()).toBe(2);
  });

  it('is disconnected when the connection is cut or closes without a final event', async () => {
    handler = (_req, res) => {
      open(res);
      res.write(sse('progress', running(10)), () => setTimeout(() => res.socket?.destroy(), 20));
    };
    const cut = stream();
    expect(reasonOf(await cut.end)).toMatch(/^the stream broke off \(/);
    expect(cut.progress).toHaveLength(1);

    handler = (_req, res) => {
      open(res);
      res.end(sse('progress', running(10)));
    };
    expect(reasonOf(await stream().end)).toBe('the stream closed without a final event');
  });

  it('is disconnected when the stream stays silent longer than the idle timeout', async () => {
    handler = (_req, res) => {
      open(res);
      res.write(': opened\n\n');
    };
    expect(reasonOf(await stream().end)).toBe('the stream sent nothing for 300 ms');
  });

  it('is disconnected by a garbage event, with a reason that names the event and never the key', async () => {
    const cases: [string, string, RegExp][] = [
      ['progress', '{"runId": "run-1", ', /progress event is not valid JSON/],
      ['complete', JSON.stringify(execution({ status: KEY })), /\(complete event\).*field status is invalid/],
      ['complete', JSON.stringify(execution({ outputs: undefined })), /\(complete event\).*outputs is missing/],
      ['complete', JSON.stringify(execution({ status: 'running' })), /complete event carries the non-final status/],
      ['error', JSON.stringify(execution({ runId: 'run-2', status: 'failed' })), /error event describes another run/],
    ];
    for (const [event, data, reason] of cases) {
      handler = (_req, res) => {
        open(res);
        res.write(sse(event, data));
      };
      const text = reasonOf(await stream().end);
      expect(text).toMatch(reason);
      expect(text).not.toContain(KEY);
    }
  });

  it('is disconnected when a 2xx answer is not an event stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: execution() }));
    };
    expect(reasonOf(await stream().end)).toMatch(/with application\/json, not text\/event-stream/);
  });

  it('throws at connect exactly what getRun throws for the same 401 or 503', async () => {
    const answers = [
      { status: 401, headers: {}, body: { error: `bad key ${KEY}`, code: 'AUTH_INVALID_KEY', requestId: 'rq-1' } },
      { status: 503, headers: { 'retry-after': '7' }, body: { error: 'busy', code: 'RESOURCE_UNAVAILABLE' } },
    ];
    for (const answer of answers) {
      handler = (_req, res) => {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      };
      const fromStream = await stream().end.catch((e: unknown) => e);
      const fromGet = await lamina.getRun('run-1').catch((e: unknown) => e);
      expect(fromStream).toBeInstanceOf(ProviderHttpError);
      const fields = (e: unknown) => {
        const err = e as ProviderHttpError;
        return [err.name, err.status, err.providerCode, err.requestId, err.retryAfterSeconds, err.providerMessage];
      };
      expect(fields(fromStream)).toEqual(fields(fromGet));
      expect((fromStream as Error).message).toBe((fromGet as Error).message.replace('/run-1', '/run-1/stream'));
      expect((fromStream as Error).message).not.toContain(KEY);
    }
  });

  it('closes the connection and throws ProviderAbortedError when the signal aborts', async () => {
    let closed!: Promise<void>;
    handler = (req, res) => {
      closed = new Promise((resolve) => req.socket.on('close', () => resolve()));
      open(res);
      res.write(sse('progress', running(10)));
    };
    const controller = new AbortController();
    const s = stream({ signal: controller.signal });
    await expect.poll(() => s.progress.length).toBe(1);
    controller.abort(new Error('activity cancelled'));
    await expect(s.end).rejects.toBeInstanceOf(ProviderAbortedError);
    await closed;
  });
});
