import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl, isControlPath } from './control.js';
import { SimulatorCore } from './core.js';
import { replacementResponse, truncateResponse } from './faults.js';
import { jsonResponse, matchRoute, readRequestBody, sendResponse } from './http.js';
import type { RequestContext, Route, SimResponse } from './http.js';
import type { FaultRule, SimulatorHandle, SimulatorOptions } from './types.js';

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  ctx: RequestContext;
  /** Aborted only when the simulator closes. */
  closing: AbortSignal;
}

/** Aborted when the client goes away before its answer, or when the simulator closes. */
function requestSignal(res: ServerResponse, closing: AbortSignal): AbortSignal {
  const local = new AbortController();
  res.on('close', () => {
    if (!res.writableEnded) local.abort();
  });
  return AbortSignal.any([local.signal, closing]);
}

function internalError(requestId: string, error: unknown): SimResponse {
  const message = error instanceof Error ? error.message : String(error);
  return jsonResponse(500, {
    error: `Simulator error: ${message}`,
    code: 'INTERNAL_ERROR',
    retryable: true,
    requestId,
  });
}

/** Applies a fault that acts before the handler; true when that already dealt with the request. */
async function faultBefore(
  core: SimulatorCore,
  fault: FaultRule,
  route: Route,
  { req, res, ctx, closing }: Exchange,
): Promise<boolean> {
  const replacement = replacementResponse(fault, ctx.requestId, route.errorBody);
  if (replacement || fault.kind === 'reset' || fault.kind === 'slow') core.counterStore.fault(fault.kind);
  if (replacement) sendResponse(res, replacement);
  if (fault.kind === 'reset') req.socket.destroy();
  if (replacement || fault.kind === 'reset') return true;
  // A slow request is handled even if the client gives up meanwhile: like a real server, a slow start still
  // creates its run. Only closing the simulator stops it.
  if (fault.kind === 'slow') return !(await core.scheduler.sleep(fault.delayMs ?? 1000, closing));
  return false;
}

/**
 * Sends the handler's answer, unless a fault drops it (an accepted start: any 2xx, as Lamina and Magnific answer
 * 202 and Artu 200) or cuts it short.
 */
function answer(core: SimulatorCore, fault: FaultRule | null, { req, res }: Exchange, response: SimResponse): void {
  if (fault?.kind === 'drop-after-accept') {
    if (response.status >= 200 && response.status < 300) {
      core.counterStore.fault(fault.kind);
      return void req.socket.destroy();
    }
    core.faults.release(fault);
  }
  // A stream has no length to cut short: a truncated fault does not apply to it (the stream's own cut fault does).
  const truncate = fault?.kind === 'truncated' && response.stream === undefined;
  if (fault?.kind === 'truncated' && !truncate) core.faults.release(fault);
  if (truncate) core.counterStore.fault('truncated');
  sendResponse(res, truncate ? truncateResponse(response) : response);
}

/** Routes one provider request through faults and its handler. */
async function handleProvider(core: SimulatorCore, exchange: Exchange): Promise<void> {
  const { ctx } = exchange;
  const match = matchRoute(core.routes, ctx.method, ctx.url.pathname);
  if (!match) {
    const body = { error: 'Not found', code: 'NOT_FOUND', retryable: false, requestId: ctx.requestId };
    return sendResponse(exchange.res, jsonResponse(404, body));
  }
  core.counterStore.request(match.route.endpoint);
  const fault = core.faults.pick(match.route.endpoint);
  if (fault && (await faultBefore(core, fault, match.route, exchange))) return;
  const response = await match.route.handle({ ...ctx, params: match.params });
  answer(core, fault, exchange, response);
}

function requestHandler(core: SimulatorCore, closing: AbortSignal) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = `req_${randomUUID()}`;
    // Read the body at once, as a real server does: a slow handler must still see it after the client has gone.
    const body = readRequestBody(req);
    body.catch(() => undefined);
    res.setHeader('x-request-id', requestId);
    const ctx: RequestContext = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://simulator.local'),
      params: [],
      headers: req.headers,
      requestId,
      signal: requestSignal(res, closing),
      readBody: () => body,
    };
    const work = isControlPath(ctx.url.pathname)
      ? handleControl(core, ctx.method, ctx.url.pathname, ctx.readBody).then((r) => sendResponse(res, r))
      : handleProvider(core, { req, res, ctx, closing });
    work.catch((error: unknown) => sendResponse(res, internalError(requestId, error)));
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the provider simulator: a real HTTP server on loopback that serves the Lamina, Artu and Magnific APIs,
 * signed PNG assets, injected faults and the /_sim control endpoints. Resolves once it listens; options
 * are validated like POST /_sim/config (a ZodError rejects the promise).
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const { port = 8787, host = '127.0.0.1', ...patch } = options;
  let baseUrl = '';
  const core = new SimulatorCore(() => baseUrl, patch);
  const closer = new AbortController();
  const server = createServer(requestHandler(core, closer.signal));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  baseUrl = `http://${urlHost(host)}:${actualPort}`;
  let closed: Promise<void> | null = null;
  return {
    url: baseUrl,
    port: actualPort,
    counters: () => core.counters(),
    configure: (p) => core.configure(p),
    resetCounters: () => core.resetCounters(),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closer.abort();
        core.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
