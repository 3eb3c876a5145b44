import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import {
  ProviderAbortedError,
  ProviderError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderTimeoutError,
} from '../errors.js';
import type { ProviderErrorContext } from '../errors.js';
import { errorCode, failedBeforeSending, parseErrorBody, parseRetryAfter } from '../http-errors.js';
import { MAX_JSON_BYTES, getSharedAgent, headerValue } from '../http.js';
import { toRunSnapshot } from './map.js';
import { laminaExecutionSchema } from './schemas.js';
import { redactDeep, redactSecrets, sanitizeCause } from '../redact.js';
import type { RunSnapshot, StreamEnd, StreamRunOptions } from '../types.js';
import { parseResponse } from '../validate.js';

/** How long a stream may stay silent (no event, no ping, no byte) before it counts as cut: three missed pings. */
export const LAMINA_STREAM_IDLE_TIMEOUT_MS = 45_000;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** What streamLaminaRun needs from the adapter. */
export interface LaminaStreamConfig {
  apiKey: string;
  /** Origin plus optional path prefix, without a trailing slash. */
  baseUrl: string;
  /** How long to wait for the answer's headers. */
  connectTimeoutMs: number;
  /** How long the open stream may stay silent before it counts as disconnected. */
  idleTimeoutMs: number;
  dispatcher?: Dispatcher | undefined;
}

/**
 * Follows `GET /v1/runs/{runId}/stream` (Lamina's SSE stream, seed 004) until it ends: a `complete` or `error`
 * event (the bare ExecutionStatus, mapped like getRun's answer), the provider's 10-minute `timeout` event, or a
 * disconnection (cut, idle for `idleTimeoutMs`, an event that breaks the contract). Nothing is retried here: the
 * caller reconnects or falls back to the long-poll. A failure before the stream opens throws what every other
 * Lamina call throws (ProviderHttpError, ProviderNetworkError, …); the abort signal closes the connection and
 * throws ProviderAbortedError.
 */
export async function streamLaminaRun(
  config: LaminaStreamConfig,
  runId: string,
  opts: StreamRunOptions,
): Promise<StreamEnd> {
  const path = `/v1/runs/${encodeURIComponent(runId)}/stream`;
  const ctx: ProviderErrorContext = { provider: 'lamina', method: 'GET', path };
  const res = await openStream(config, ctx, opts.signal);
  const streamCtx: ProviderErrorContext = { ...ctx, status: res.statusCode };
  const type = headerValue(res.headers, 'content-type') ?? 'no content-type';
  if (!/^text\/event-stream\b/i.test(type)) {
    discard(res.body);
    return disconnected(`the stream answered ${res.statusCode} with ${type}, not text/event-stream`);
  }
  return readEvents(res.body, { config, runId, ctx: streamCtx, opts });
}

interface ReadContext {
  config: LaminaStreamConfig;
  runId: string;
  ctx: ProviderErrorContext;
  opts: StreamRunOptions;
}

async function readEvents(body: Dispatcher.ResponseData['body'], rc: ReadContext): Promise<StreamEnd> {
  const events: EventSourceMessage[] = [];
  let tooLarge = false;
  const parser = createParser({
    onEvent: (event) => events.push(event),
    // Unknown fields and bad `retry` values are ignored, as the SSE spec says; only an endless event ends the read.
    onError: (err) => (tooLarge ||= err.type === 'max-buffer-size-exceeded'),
    maxBufferSize: MAX_JSON_BYTES,
  });
  const decoder = new TextDecoder();
  const idle = new Error('idle');
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => body.destroy(idle), rc.config.idleTimeoutMs);
  };
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    arm();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        return readFailure(err, idle, rc);
      }
      if (next.done) return disconnected('the stream closed without a final event');
      arm();
      parser.feed(decoder.decode(next.value, { stream: true }));
      if (tooLarge) return disconnected(`an event exceeds ${MAX_JSON_BYTES} characters`);
      for (const event of events.splice(0)) {
        const end = handleEvent(event, rc);
        if (end) return end;
      }
    }
  } finally {
    clearTimeout(timer);
    discard(body);
  }
}

/** What one event means: the end of the stream, or undefined to read on. Unknown event names are ignored. */
function handleEvent(event: EventSourceMessage, rc: ReadContext): StreamEnd | undefined {
  switch (event.event) {
    case 'ping':
      rc.opts.onPing?.();
      return undefined;
    case 'timeout':
      return { kind: 'timeout' };
    case 'progress':
    case 'complete':
    case 'error': {
      const read = readSnapshot(event.event, event.data, rc);
      if (typeof read === 'string') return disconnected(read);
      if (read.terminal) return { kind: 'terminal', snapshot: read };
      if (event.event !== 'progress') {
        return disconnected(`the ${event.event} event carries the non-final status ${read.providerStatus}`);
      }
      rc.opts.onProgress?.(read);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The event's ExecutionStatus as a snapshot, or why it breaks the contract (naming the event, never the key). */
function readSnapshot(name: string, data: string, rc: ReadContext): RunSnapshot | string {
  const ctx: ProviderErrorContext = { ...rc.ctx, path: `${rc.ctx.path} (${name} event)` };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return `the ${name} event is not valid JSON (${data.length} characters)`;
  }
  try {
    // The seed shows the bare ExecutionStatus; a `{data: …}` envelope (as on every other endpoint) is read too.
    const bare = isRecord(json) && !('runId' in json) && isRecord(json.data) ? json.data : json;
    const snapshot = toRunSnapshot(parseResponse(laminaExecutionSchema, bare, ctx, [rc.config.apiKey]), ctx);
    if (snapshot.runId !== rc.runId) return `the ${name} event describes another run`;
    return snapshot;
  } catch (err) {
    if (err instanceof ProviderError) return err.message;
    throw err;
  }
}

function readFailure(err: unknown, idle: Error, rc: ReadContext): StreamEnd {
  if (rc.opts.signal?.aborted) {
    const cause = sanitizeCause(rc.opts.signal.reason, [rc.config.apiKey]);
    throw new ProviderAbortedError({ ...rc.ctx, requestSent: true, cause });
  }
  if (err === idle) return disconnected(`the stream sent nothing for ${rc.config.idleTimeoutMs} ms`);
  const code = errorCode(err) ?? (err instanceof Error ? err.name : 'unknown error');
  return disconnected(`the stream broke off (${code})`);
}

/** Closes a body we stop reading; undici reports that as an 'error' event, which is expected here. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function disconnected(reason: string): StreamEnd {
  return { kind: 'disconnected', reason };
}

/** The GET with the key header; a 2xx answer comes back unread, anything else is thrown like requestJson does. */
async function openStream(config: LaminaStreamConfig, ctx: ProviderErrorContext, signal: AbortSignal | undefined) {
  const secrets = [config.apiKey];
  if (signal?.aborted) {
    throw new ProviderAbortedError({ ...ctx, requestSent: false, cause: sanitizeCause(signal.reason, secrets) });
  }
  let res: Dispatcher.ResponseData;
  try {
    res = await request(new URL(`${config.baseUrl}${ctx.path}`), {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'x-api-key': config.apiKey, 'user-agent': 'durabatch' },
      signal: signal ?? null,
      headersTimeout: config.connectTimeoutMs,
      // The idle timer of readEvents watches the body; undici's own body timeout would end a healthy stream.
      bodyTimeout: 0,
      dispatcher: config.dispatcher ?? getSharedAgent(),
    });
  } catch (err) {
    throw connectFailure(err, ctx, signal, config.connectTimeoutMs, secrets);
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res;
  const text = await readErrorText(res.body).catch(() => '');
  throw statusFailure({ ...ctx, status: res.statusCode }, res.headers, text, secrets);
}

function connectFailure(
  err: unknown,
  ctx: ProviderErrorContext,
  signal: AbortSignal | undefined,
  timeoutMs: number,
  secrets: readonly string[],
): ProviderError {
  const cause = sanitizeCause(err, secrets);
  if (signal?.aborted) return new ProviderAbortedError({ ...ctx, requestSent: true, cause });
  const code = errorCode(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new ProviderTimeoutError({ ...ctx, timeoutMs, cause });
  return new ProviderNetworkError({ ...ctx, requestSent: !failedBeforeSending(code), networkCode: code, cause });
}

/** The same ProviderHttpError requestJson throws for this status and body (Retry-After, code, request id). */
function statusFailure(
  ctx: ProviderErrorContext & { status: number },
  headers: Dispatcher.ResponseData['headers'],
  text: string,
  secrets: readonly string[],
): ProviderHttpError {
  const parsed = parseErrorBody(text);
  return new ProviderHttpError({
    ...ctx,
    providerCode: parsed.code === undefined ? undefined : redactSecrets(parsed.code, secrets),
    requestId: headerValue(headers, 'x-request-id') ?? parsed.requestId,
    retryAfterSeconds: parseRetryAfter(headerValue(headers, 'retry-after')) ?? parsed.retryAfterSeconds,
    providerMessage: parsed.message === undefined ? undefined : redactSecrets(parsed.message, secrets),
    details: redactDeep(parsed.details, secrets),
  });
}

async function readErrorText(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_ERROR_BODY_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
