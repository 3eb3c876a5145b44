import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { EndpointName } from './types.js';

/** A response built by a route handler; the server writes it (or, under a fault, does not). */
export interface SimResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /**
   * A streamed answer (Lamina's SSE): the server writes status and headers, then hands the open response to this
   * instead of writing `body`. It owns the response from then on and must end or destroy it.
   */
  stream?: (res: ServerResponse) => void;
}

/** What a route handler sees of a request. */
export interface RequestContext {
  method: string;
  url: URL;
  /** Decoded capture groups of the route's pattern. */
  params: string[];
  headers: IncomingHttpHeaders;
  requestId: string;
  /** Aborted when the client disconnects before the answer or when the simulator closes. */
  signal: AbortSignal;
  readBody: () => Promise<Buffer>;
}

/** An error the simulator injects (a fault), before a provider shapes it into its own body. */
export interface InjectedError {
  code: string;
  message: string;
  requestId: string;
  /** Also sent as the Retry-After header. */
  retryAfterSeconds?: number;
}

/** Builds a provider's JSON error body for an injected error. */
export type ErrorBodyFormat = (error: InjectedError) => Record<string, unknown>;

/** One endpoint of a simulated provider. */
export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the whole path; capture groups become ctx.params. */
  pattern: RegExp;
  endpoint: EndpointName;
  /** The provider's error shape for injected 429/5xx faults; Lamina's when absent. */
  errorBody?: ErrorBodyFormat;
  handle(ctx: RequestContext): Promise<SimResponse> | SimResponse;
}

/** A JSON response. */
export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): SimResponse {
  const response: SimResponse = { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
  if (headers) response.headers = headers;
  return response;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Finds the route for a method and path, with its decoded parameters. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: string[] } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map(safeDecode) };
  }
  return null;
}

/** Reads a request body, refusing more than `limitBytes`. */
export async function readRequestBody(req: IncomingMessage, limitBytes = 1_048_576): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const piece of req) {
    const buf = piece as Buffer;
    size += buf.length;
    if (size > limitBytes) throw new Error(`request body larger than ${limitBytes} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Writes a SimResponse with Content-Length (or starts its stream), unless the client is already gone. */
export function sendResponse(res: ServerResponse, response: SimResponse): void {
  if (res.destroyed || res.headersSent) return;
  if (response.stream) {
    res.writeHead(response.status, { ...response.headers, 'content-type': response.contentType });
    res.flushHeaders();
    return response.stream(res);
  }
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.status, {
    ...response.headers,
    'content-type': response.contentType,
    'content-length': String(body.length),
  });
  res.end(body);
}
