import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactSecrets } from '../providers/redact.js';
import { DeliveryDedupe } from './dedupe.js';
import { createLaminaVerifier } from './lamina.js';
import type { WebhookKeySource } from './lamina.js';
import { createMagnificVerifier } from './magnific.js';
import { isWebhookProvider, parseWebhookPath } from './url.js';
import type { WebhookProvider, WebhookTarget } from './url.js';
import type { WebhookEvent, WebhookRejection, WebhookVerifier } from './verify.js';

export const DEFAULT_MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Delivered events remembered for de-duplication (oldest forgotten first). */
export const WEBHOOK_DEDUPE_ENTRIES = 50_000;

/** What became of a request; `stats()` counts each. */
export const WEBHOOK_OUTCOMES = [
  'delivered',
  'duplicate',
  'gone',
  'progress',
  'bad_request',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  'too_large',
  'unavailable',
  'error',
] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface WebhookReceiverOptions {
  /** Interface to listen on; 127.0.0.1 by default (put a TLS proxy in front for the internet). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Larger bodies are refused with 413 without reading them further. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Lamina's signing keys; without them Lamina webhooks are refused with 404. */
  laminaKeys?: WebhookKeySource;
  /** Magnific's webhook secret; without it unsigned Magnific webhooks are accepted. */
  magnificSecret?: string;
  /**
   * Hands a final event to its workflow; 'gone' when the workflow has closed, 'refused' when no such row waits
   * for it (unknown workflow or wrong token: answered 404, not remembered). A throw answers 503.
   */
  deliver(target: WebhookTarget, event: WebhookEvent): Promise<'delivered' | 'gone' | 'refused'>;
  /** One line per refused webhook; never carries a token, signature, secret or key. */
  log(line: string): void;
  now?(): number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): Record<WebhookOutcome, number>;
}

interface Answer {
  status: number;
  outcome?: WebhookOutcome;
  body: Record<string, unknown>;
  log?: string;
  headers?: Record<string, string>;
}

const OUTCOME_BY_STATUS: Record<number, WebhookOutcome> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'too_large',
  503: 'unavailable',
};

/**
 * The webhook receiver: `POST /webhooks/<lamina|magnific>/<workflow id>?token=…` is verified with the provider's
 * scheme, and a final event is handed to `deliver` once (providers deliver at least once; duplicates answer 200
 * without a second delivery). `GET /healthz` answers 200. Anything refused gets a short JSON reason and one log
 * line; 503 (key unavailable, delivery failed) makes the provider deliver again later.
 */
export async function startWebhookReceiver(opts: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const verifiers: Partial<Record<WebhookProvider, WebhookVerifier>> = {
    magnific: createMagnificVerifier(opts.magnificSecret),
    ...(opts.laminaKeys ? { lamina: createLaminaVerifier(opts.laminaKeys) } : {}),
  };
  const counts = Object.fromEntries(WEBHOOK_OUTCOMES.map((o) => [o, 0])) as Record<WebhookOutcome, number>;
  const ctx: HandlerContext = {
    opts,
    verifiers,
    dedupe: new DeliveryDedupe(WEBHOOK_DEDUPE_ENTRIES),
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BYTES,
  };
  const server = createServer({ requestTimeout: 30_000 }, (req, res) => {
    handle(req, ctx)
      .catch((err: unknown): Answer => {
        const detail = redactSecrets(err instanceof Error ? err.message : String(err), secretsOf(opts));
        return { status: 500, outcome: 'error', body: { error: 'internal error' }, log: `internal error: ${detail}` };
      })
      .then((answer) => {
        if (answer.outcome) counts[answer.outcome]++;
        if (answer.log !== undefined) opts.log(`webhook ${answer.status}: ${answer.log}`);
        send(req, res, answer);
      })
      .catch(() => res.destroy());
  });
  const port = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

interface HandlerContext {
  opts: WebhookReceiverOptions;
  verifiers: Partial<Record<WebhookProvider, WebhookVerifier>>;
  dedupe: DeliveryDedupe;
  maxBodyBytes: number;
}

async function handle(req: IncomingMessage, ctx: HandlerContext): Promise<Answer> {
  const url = new URL(req.url ?? '/', 'http://receiver');
  if (url.pathname === '/healthz') {
    return req.method === 'GET' ? { status: 200, body: { ok: true } } : refuse(405, 'method not allowed');
  }
  const route = parseWebhookPath(url.pathname);
  if (!route) return refuse(404, 'unknown path');
  if (req.method !== 'POST') return { ...refuse(405, 'method not allowed'), headers: { allow: 'POST' } };
  if (!isWebhookProvider(route.provider)) return refuse(404, 'unknown provider');
  const provider = route.provider;
  const verifier = ctx.verifiers[provider];
  if (!verifier) return refuse(404, `no verifier configured for ${provider} webhooks`, { provider });
  const token = url.searchParams.get('token');
  if (!token) return refuse(400, 'missing token', { provider });
  const body = await readBody(req, ctx.maxBodyBytes);
  if (body === 'too_large') return refuse(413, `body exceeds ${ctx.maxBodyBytes} bytes`, { provider });
  const verified = await verifier({ headers: req.headers, body }, ctx.opts.now?.() ?? Date.now());
  if (!verified.ok) return rejected(verified, provider);
  return deliverOnce({ provider, workflowId: route.workflowId, token }, verified.event, ctx);
}

async function deliverOnce(target: WebhookTarget, event: WebhookEvent, ctx: HandlerContext): Promise<Answer> {
  if (event.kind !== 'final') return { status: 200, outcome: 'progress', body: { ok: true, outcome: 'progress' } };
  // Per target as well as per run: a forged event for a run can never make the real one look like a repeat.
  const key = [event.provider, target.workflowId, target.token, event.runId, event.kind].join('\u0000');
  if (!ctx.dedupe.claim(key)) return { status: 200, outcome: 'duplicate', body: { ok: true, outcome: 'duplicate' } };
  let outcome: 'delivered' | 'gone' | 'refused';
  try {
    outcome = await ctx.opts.deliver(target, event);
  } catch (err) {
    ctx.dedupe.release(key);
    const detail = redactSecrets(err instanceof Error ? err.message : String(err), [
      target.token,
      ...secretsOf(ctx.opts),
    ]);
    return refuse(503, 'delivery failed', { provider: event.provider, runId: event.runId, detail });
  }
  if (outcome === 'refused') {
    ctx.dedupe.release(key);
    return refuse(404, 'no row waits for this webhook', { provider: event.provider, runId: event.runId });
  }
  ctx.dedupe.settle(key);
  return { status: 200, outcome, body: { ok: true, outcome } };
}

function rejected(r: WebhookRejection, provider: WebhookProvider): Answer {
  const about = { provider, ...(r.runId ? { runId: r.runId } : {}), ...(r.detail ? { detail: r.detail } : {}) };
  return refuse(r.status, r.reason, about);
}

/** A refusal: the reason goes to the answer; reason, provider, run id and detail go to the log line. */
function refuse(
  status: number,
  reason: string,
  about: { provider?: string; runId?: string; detail?: string } = {},
): Answer {
  const tags = [about.provider && `provider=${about.provider}`, about.runId && `run=${about.runId}`].filter(Boolean);
  const suffix = `${tags.length ? ` (${tags.join(' ')})` : ''}${about.detail ? `: ${about.detail}` : ''}`;
  return { status, outcome: OUTCOME_BY_STATUS[status] ?? 'error', body: { error: reason }, log: `${reason}${suffix}` };
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  // A body we stopped reading (413) must not be read as the next request: close the connection after answering.
  const close = !req.complete;
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
    ...answer.headers,
  });
  res.end(JSON.stringify(answer.body), () => {
    if (close) req.destroy();
  });
}

/** The raw body, or 'too_large' as soon as it exceeds `limit` (a larger Content-Length is refused unread). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData).off('end', onEnd).off('error', reject).off('close', onClose);
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        resolve('too_large');
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onClose = () => reject(new Error('the client closed the connection before the body ended'));
    req.on('data', onData).on('end', onEnd).on('error', reject).on('close', onClose);
  });
}

function secretsOf(opts: WebhookReceiverOptions): string[] {
  return opts.magnificSecret ? [opts.magnificSecret] : [];
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
