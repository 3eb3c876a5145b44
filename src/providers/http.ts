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
const apiHosts = new Set<string>();

/**
 * Host names of the provider base URLs (the configured `*_BASE_URL`s) this process has sent requests to. Downloads
 * may reach a private or loopback address only on these hosts (see download.ts), which is how a simulator or a
 * provider inside the company network keeps working while an output URL pointing elsewhere inside is refused.
 */
export function contactedApiHosts(): ReadonlySet<string> {
  return apiHosts;
}

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
  /** The provider's clock minus this machine's, from the answer's Date header (whole seconds), when it has one. */
  clockOffsetMs: number | undefined;
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
    const url = buildUrl(req.baseUrl, req.path, req.query);
    apiHosts.add(url.hostname.toLowerCase());
    const hasBody = req.body !== undefined;
    res = await request(url, {
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
  // When the headers came: the Date header is stamped then, however long the body takes after it.
  const headersAt = Date.now();
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
  const body = parseJson(read.text, answered, res.headers, secrets);
  return { status, headers: res.headers, body, requestId, clockOffsetMs: clockOffsetOf(res.headers, headersAt) };
}

/**
 * The Date header against this machine's clock when the headers arrived. The header counts whole seconds, so this is
 * up to 1 s (plus the latency) low.
 */
function clockOffsetOf(headers: IncomingHttpHeaders, headersAt: number): number | undefined {
  const date = headerValue(headers, 'date');
  const at = date === undefined ? NaN : Date.parse(date);
  return Number.isNaN(at) ? undefined : at - headersAt;
}

function buildUrl(baseUrl: string, path: string, query: JsonRequest['query']): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

function parseJson(
  text: string,
  ctx: ProviderErrorContext,
  headers: IncomingHttpHeaders,
  secrets: readonly string[],
): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ProviderProtocolError({
      ...ctx,
      problem: notJsonProblem(text, headers, secrets),
      cause: sanitizeCause(err, secrets),
    });
  }
}

/**
 * Why a 2xx body is not JSON, in words a user can act on: an HTML page (with its title; usually a proxy, CDN
 * challenge or maintenance page answering for the API), JSON cut short, or some other text. Never the body itself.
 */
export function notJsonProblem(text: string, headers: IncomingHttpHeaders, secrets: readonly string[] = []): string {
  const type = headerValue(headers, 'content-type') ?? 'no content-type';
  const size = `${type}, ${Buffer.byteLength(text)} bytes`;
  const start = text.trimStart();
  if (start.startsWith('<') || /html/i.test(type)) {
    const title = /<title[^>]*>([^<]{0,120})/i.exec(text)?.[1]?.trim();
    const named = title ? ` titled "${redactSecrets(title, secrets)}"` : '';
    return `body is an HTML page${named} instead of JSON (${size}); a proxy, CDN or maintenance page may be answering for the API`;
  }
  if (/^[[{]/.test(start)) return `body is JSON cut short or malformed (${size}); the answer was truncated`;
  return `body is not JSON (${size})`;
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
async function readText(body: Dispatcher.ResponseData['body'], limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) {
      body.on('error', () => undefined); // destroy() emits an AbortError nobody else listens for any more
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
