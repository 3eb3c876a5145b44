import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderName } from '../shared/constants.js';
import {
  ProviderAbortedError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from './errors.js';
import type { ProviderError, ProviderErrorContext } from './errors.js';
import { errorCode, failedBeforeSending, parseErrorBody, parseRetryAfter } from './http-errors.js';
import { redactDeep, redactSecrets, sanitizeCause, secretHeaderValues } from './redact.js';

/**
 * Connections per origin of the shared agent: a batch keeps one long-poll open per running item, so ~200 concurrent
 * waits on one provider must not queue behind each other.
 */
export const HTTP_CONNECTIONS_PER_ORIGIN = 256;
/** Largest 2xx body we accept (a page of 100 runs is far below); larger is a protocol error. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

let sharedAgent: Agent | undefined;

/** The keep-alive agent shared by every adapter and download of this process, created on first use. */
export function getSharedAgent(): Agent {
  sharedAgent ??= new Agent({
    connections: HTTP_CONNECTIONS_PER_ORIGIN,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: 10_000 },
  });
  return sharedAgent;
}

/** Closes the shared agent's sockets (worker shutdown, end of a test run); the next request creates a new one. */
export async function closeSharedAgent(): Promise<void> {
  const agent = sharedAgent;
  sharedAgent = undefined;
  await agent?.close();
}

/** One request for requestJson: where to, what to send, and how long to wait for headers and body. */
export interface JsonRequest {
  provider: ProviderName;
  method: string;
  /** Origin plus an optional path prefix, without a trailing slash. */
  baseUrl: string;
  /** API path, already percent-encoded; this (never the host or the query) is what errors show. */
  path: string;
  query?: Readonly<Record<string, string | number | undefined>>;
  headers: Readonly<Record<string, string>>;
  /** Serialized as JSON when present. */
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Undici's headers and body (inactivity) timeouts. */
  timeoutMs: number;
  /** Another dispatcher (a MockAgent in tests); the shared agent by default. */
  dispatcher?: Dispatcher | undefined;
  /** Extra values to keep out of errors; values of credential headers are always redacted. */
  secrets?: readonly string[];
}

/** A 2xx answer. Non-2xx answers never come back as values: they are thrown as ProviderHttpError. */
export interface JsonResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or null for an empty body. */
  body: unknown;
  requestId: string | undefined;
}

/**
 * One HTTP request with a JSON answer, attempted exactly once: Temporal owns retries, so every attempt shows in the
 * UI and a run-start POST is never repeated behind the caller's back. Failures become the classes of errors.ts
 * with provider, method and path, never with a credential.
 */
export async function requestJson(req: JsonRequest): Promise<JsonResponse> {
  const secrets = [...secretHeaderValues(req.headers), ...(req.secrets ?? [])];
  const ctx: ProviderErrorContext = { provider: req.provider, method: req.method, path: req.path };
  if (req.signal?.aborted) {
    throw new ProviderAbortedError({ ...ctx, requestSent: false, cause: sanitizeCause(req.signal.reason, secrets) });
  }
  let res: Dispatcher.ResponseData;
  try {
    const hasBody = req.body !== undefined;
    res = await request(buildUrl(req.baseUrl, req.path, req.query), {
      method: req.method,
      headers: {
        accept: 'application/json',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...req.headers,
      },
      body: hasBody ? JSON.stringify(req.body) : null,
      signal: req.signal ?? null,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      dispatcher: req.dispatcher ?? getSharedAgent(),
    });
  } catch (err) {
    throw transportError(err, ctx, req, secrets);
  }
  const status = res.statusCode;
  const requestId = headerValue(res.headers, 'x-request-id');
  const answered = { ...ctx, status, requestId };
  if (status < 200 || status >= 300) {
    const text = await readText(res.body, MAX_ERROR_BODY_BYTES).catch(() => ({ text: '', tooLarge: false }));
    throw httpError(answered, res.headers, text.text, secrets);
  }
  let read: { text: string; tooLarge: boolean };
  try {
    read = await readText(res.body, MAX_JSON_BYTES);
  } catch (err) {
    // The body broke off mid-stream: a transport failure after a 2xx (status kept on the error), not bad JSON.
    throw transportError(err, answered, req, secrets);
  }
  if (read.tooLarge) throw new ProviderProtocolError({ ...answered, problem: `body exceeds ${MAX_JSON_BYTES} bytes` });
  return { status, headers: res.headers, body: parseJson(read.text, answered, res.headers), requestId };
}

function buildUrl(baseUrl: string, path: string, query: JsonRequest['query']): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

function parseJson(text: string, ctx: ProviderErrorContext, headers: IncomingHttpHeaders): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const type = headerValue(headers, 'content-type') ?? 'no content-type';
    const problem = `body is not valid JSON (${type}, ${Buffer.byteLength(text)} bytes; truncated or not JSON)`;
    throw new ProviderProtocolError({ ...ctx, problem, cause: err });
  }
}

function httpError(
  ctx: ProviderErrorContext & { status: number },
  headers: IncomingHttpHeaders,
  text: string,
  secrets: readonly string[],
): ProviderHttpError {
  const parsed = parseErrorBody(text);
  const retryAfterSeconds = parseRetryAfter(headerValue(headers, 'retry-after')) ?? parsed.retryAfterSeconds;
  return new ProviderHttpError({
    ...ctx,
    providerCode: parsed.code === undefined ? undefined : redactSecrets(parsed.code, secrets),
    requestId: ctx.requestId ?? parsed.requestId,
    retryAfterSeconds,
    providerMessage: parsed.message === undefined ? undefined : redactSecrets(parsed.message, secrets),
    details: redactDeep(parsed.details, secrets),
  });
}

function transportError(
  err: unknown,
  ctx: ProviderErrorContext,
  req: JsonRequest,
  secrets: readonly string[],
): ProviderError {
  const cause = sanitizeCause(err, secrets);
  if (req.signal?.aborted) return new ProviderAbortedError({ ...ctx, requestSent: true, cause });
  const code = errorCode(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ProviderTimeoutError({ ...ctx, timeoutMs: req.timeoutMs, cause });
  }
  const requestSent = ctx.status !== undefined || !failedBeforeSending(code);
  return new ProviderNetworkError({ ...ctx, requestSent, networkCode: code, cause });
}

/** Reads a body as UTF-8 up to `limit` bytes; beyond that the stream is destroyed and `tooLarge` set. */
async function readText(body: AsyncIterable<unknown> & { destroy(): unknown }, limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) {
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: true };
    }
    chunks.push(buf);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}

/** First value of a response header, or undefined. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
