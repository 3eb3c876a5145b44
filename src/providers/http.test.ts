import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ProviderAbortedError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from './errors.js';
import { requestJson } from './http.js';
import type { JsonRequest } from './http.js';

const KEY = 'lma_test_key_0123456789';
const ORIGIN = 'https://lamina.test';

/** Everything an error exposes, for "the key never leaks" checks. */
function everything(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  const cause = e.cause as (Error & { stack?: string }) | undefined;
  return [JSON.stringify(e), e.message, e.stack, JSON.stringify(cause), cause?.message, cause?.stack].join('\n');
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('requestJson against a mock agent', () => {
  let mock: MockAgent;
  const req = (over: Partial<JsonRequest> = {}): JsonRequest => ({
    provider: 'lamina',
    method: 'POST',
    baseUrl: ORIGIN,
    path: '/v1/apps/app-1/runs',
    query: { webhook: 'https://hooks.test/x?token=abc' },
    headers: { 'x-api-key': KEY },
    body: { inputs: {} },
    timeoutMs: 5_000,
    dispatcher: mock,
    ...over,
  });

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
  });
  afterEach(async () => mock.close());

  it('sends JSON with the key header and returns the parsed body and request id', async () => {
    mock
      .get(ORIGIN)
      .intercept({
        path: (p) => p.startsWith('/v1/apps/app-1/runs?webhook='),
        method: 'POST',
        headers: { 'x-api-key': KEY },
      })
      .reply(202, { data: { runId: 'r1' } }, { headers: { 'x-request-id': 'req-9' } });
    const res = await requestJson(req());
    expect(res).toMatchObject({ status: 202, body: { data: { runId: 'r1' } }, requestId: 'req-9' });
    expect(res.clockOffsetMs).toBeUndefined();
  });

  it("reads the provider's clock against this machine's from the Date header", async () => {
    const ahead = new Date(Date.now() + 60_000).toUTCString();
    mock
      .get(ORIGIN)
      .intercept({ path: /.*/, method: 'POST' })
      .reply(202, { data: { runId: 'r1' } }, { headers: { date: ahead } });
    const { clockOffsetMs } = await requestJson(req());
    // The header counts whole seconds.
    expect(clockOffsetMs).toBeGreaterThan(58_000);
    expect(clockOffsetMs).toBeLessThanOrEqual(60_000);
  });

  it('maps a 429 to ProviderHttpError with code, Retry-After seconds and a readable message', async () => {
    mock
      .get(ORIGIN)
      .intercept({ path: /.*/, method: 'POST' })
      .reply(
        429,
        { error: 'Slow down', code: 'RATE_LIMITED', retryable: true, requestId: 'req-1' },
        {
          headers: { 'retry-after': '12' },
        },
      );
    const err = (await failure(requestJson(req()))) as ProviderHttpError;
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err.message).toBe(
      'lamina: POST /v1/apps/app-1/runs failed with 429 RATE_LIMITED (retry after 12 s): Slow down',
    );
    expect(err).toMatchObject({ code: 'PROVIDER_HTTP', status: 429, providerCode: 'RATE_LIMITED', requestId: 'req-1' });
    expect(err.retryAfterSeconds).toBe(12);
    expect(err.message).not.toContain('token=abc');
  });

  it('reads Retry-After as an HTTP-date, and falls back to the body retryAfter', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    mock
      .get(ORIGIN)
      .intercept({ path: /.*/, method: 'POST' })
      .reply(503, 'busy', { headers: { 'retry-after': at } });
    const fromDate = (await failure(requestJson(req()))) as ProviderHttpError;
    expect(fromDate.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(fromDate.retryAfterSeconds).toBeLessThanOrEqual(31);
    mock.get(ORIGIN).intercept({ path: /.*/, method: 'POST' }).reply(429, { error: 'x', retryAfter: 5 });
    expect(((await failure(requestJson(req()))) as ProviderHttpError).retryAfterSeconds).toBe(5);
  });

  it('keeps the older {error} and Magnific {message} bodies and survives an HTML page', async () => {
    const pool = mock.get(ORIGIN);
    pool.intercept({ path: /.*/, method: 'POST' }).reply(401, { error: 'Invalid API key' });
    pool.intercept({ path: /.*/, method: 'POST' }).reply(404, { message: 'Not found' });
    pool.intercept({ path: /.*/, method: 'POST' }).reply(502, '<html><title>Bad Gateway</title></html>');
    const messages = [];
    for (let i = 0; i < 3; i++) messages.push(((await failure(requestJson(req()))) as ProviderHttpError).message);
    expect(messages).toEqual([
      'lamina: POST /v1/apps/app-1/runs failed with 401: Invalid API key',
      'lamina: POST /v1/apps/app-1/runs failed with 404: Not found',
      'lamina: POST /v1/apps/app-1/runs failed with 502: Bad Gateway',
    ]);
  });

  it('redacts the key from provider messages and details', async () => {
    mock
      .get(ORIGIN)
      .intercept({ path: /.*/, method: 'POST' })
      .reply(401, { error: `key ${KEY} is invalid`, code: 'AUTH_INVALID_KEY', details: { key: KEY } });
    const err = await failure(requestJson(req()));
    expect(everything(err)).not.toContain(KEY);
    expect((err as ProviderHttpError).providerMessage).toBe('key [redacted] is invalid');
  });

  it('turns a 2xx that is not JSON, or JSON cut short, into a ProviderProtocolError', async () => {
    const pool = mock.get(ORIGIN);
    pool
      .intercept({ path: /.*/, method: 'POST' })
      .reply(200, '<html>login</html>', { headers: { 'content-type': 'text/html' } });
    pool.intercept({ path: /.*/, method: 'POST' }).reply(200, '{"data":{"runId":"r');
    const html = await failure(requestJson(req()));
    expect(html).toBeInstanceOf(ProviderProtocolError);
    expect((html as Error).message).toContain('lamina: POST /v1/apps/app-1/runs answered outside its contract');
    expect((html as Error).message).toContain('HTML page');
    expect((html as Error).message).toContain('text/html');
    const cut = await failure(requestJson(req()));
    expect(cut).toBeInstanceOf(ProviderProtocolError);
    expect((cut as Error).message).toContain('JSON cut short');
  });

  it('names the title of an HTML page answered instead of JSON, without the key or the body', async () => {
    const page = `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>${KEY}</body></html>`;
    mock
      .get(ORIGIN)
      .intercept({ path: /.*/, method: 'GET' })
      .reply(200, page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
    const err = await failure(requestJson(req({ method: 'GET', body: undefined, query: {} })));
    expect((err as Error).message).toContain('an HTML page titled "Just a moment..." instead of JSON');
    expect((err as Error).message).toContain('proxy');
    expect(everything(err)).not.toContain(KEY);
    expect(everything(err)).not.toContain('<body>');
  });

  it('returns null for an empty 2xx body', async () => {
    mock.get(ORIGIN).intercept({ path: /.*/, method: 'POST' }).reply(204, '');
    expect((await requestJson(req())).body).toBeNull();
  });

  it('classifies DNS failures as not sent and keeps the key out of the cause', async () => {
    const dns = Object.assign(new Error(`getaddrinfo ENOTFOUND lamina.test (${KEY})`), { code: 'ENOTFOUND' });
    mock.get(ORIGIN).intercept({ path: /.*/, method: 'POST' }).replyWithError(dns);
    const err = (await failure(requestJson(req()))) as ProviderNetworkError;
    expect(err).toBeInstanceOf(ProviderNetworkError);
    expect(err).toMatchObject({ requestSent: false, networkCode: 'ENOTFOUND', code: 'PROVIDER_NETWORK' });
    expect(everything(err)).not.toContain(KEY);
  });

  it('does not send at all when the signal is already aborted', async () => {
    const err = (await failure(requestJson(req({ signal: AbortSignal.abort() })))) as ProviderAbortedError;
    expect(err).toBeInstanceOf(ProviderAbortedError);
    expect(err.requestSent).toBe(false);
  });
});

describe('requestJson against a real socket', () => {
  let server: Server;
  let base: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const agent = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const req = (path: string, over: Partial<JsonRequest> = {}): JsonRequest => ({
    provider: 'lamina',
    method: 'POST',
    baseUrl: base,
    path,
    headers: { 'x-api-key': KEY },
    body: { inputs: { a: 1 } },
    timeoutMs: 2_000,
    dispatcher: agent,
    ...over,
  });

  beforeAll(async () => {
    server = createServer((rq, rs) => handler(rq, rs));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });

  it('reports a refused connection as not sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = (await failure(
      requestJson(req('/v1/x', { baseUrl: `http://127.0.0.1:${port}` })),
    )) as ProviderNetworkError;
    expect(err).toBeInstanceOf(ProviderNetworkError);
    expect(err.requestSent).toBe(false);
    expect(err.networkCode).toBe('ECONNREFUSED');
    expect(err.message).toBe('lamina: POST /v1/x failed before the request was sent (ECONNREFUSED)');
    expect(everything(err)).not.toContain(KEY);
  });

  it('reports a connection reset after the request as sent', async () => {
    handler = (rq) => rq.socket.destroy();
    const err = (await failure(requestJson(req('/v1/apps/a/runs')))) as ProviderNetworkError;
    expect(err).toBeInstanceOf(ProviderNetworkError);
    expect(err.requestSent).toBe(true);
    expect(err.message).toContain('after the request was sent');
    expect(everything(err)).not.toContain(KEY);
  });

  it('reports a 200 whose body breaks off as sent, keeping the status', async () => {
    handler = (_rq, rs) => {
      rs.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      rs.write('{"data":{"runId":"r');
      setTimeout(() => rs.socket?.destroy(), 20);
    };
    const err = (await failure(requestJson(req('/v1/apps/a/runs')))) as ProviderNetworkError;
    expect(err).toBeInstanceOf(ProviderNetworkError);
    expect(err).toMatchObject({ requestSent: true, status: 200 });
  });

  it('maps a headers timeout to ProviderTimeoutError', async () => {
    handler = () => undefined; // never answers
    const err = (await failure(requestJson(req('/v1/runs/r1', { method: 'GET', timeoutMs: 200 })))) as Error;
    expect(err).toBeInstanceOf(ProviderTimeoutError);
    expect(err.message).toBe('lamina: GET /v1/runs/r1 got no answer within 200 ms');
  });

  it('maps our own abort to ProviderAbortedError', async () => {
    handler = () => undefined;
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const err = (await failure(
      requestJson(req('/v1/runs/r1', { method: 'GET', signal: ctl.signal })),
    )) as ProviderAbortedError;
    expect(err).toBeInstanceOf(ProviderAbortedError);
    expect(err).toMatchObject({ code: 'PROVIDER_ABORTED', requestSent: true });
  });
});
