import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { WebhookProvider } from './url.js';

/**
 * What the provider verifiers (lamina.ts, magnific.ts) share: the request they read, what they answer, and the
 * header and timestamp checks both schemes make. A verified webhook is still only a wake-up call: the workflow
 * re-reads the run from the provider's API before it trusts any of it.
 */

/** A received webhook: its headers and the raw bytes of its body (signatures cover the bytes, not parsed JSON). */
export interface WebhookRequest {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a webhook says: `final` when the run ended (only those are delivered), `progress` otherwise. */
export interface WebhookEvent {
  provider: WebhookProvider;
  runId: string;
  kind: 'final' | 'progress';
  /** The provider's own word: Lamina's run status, Magnific's event name. */
  status: string;
}

/** Why a webhook is refused: 400 malformed, 401 not signed by the provider or stale, 503 cannot check right now. */
export interface WebhookRejection {
  ok: false;
  status: 400 | 401 | 503;
  /** Short and safe to answer and log: never a header value, the body, a signature or a key. */
  reason: string;
  /** The run the webhook names, when it could be read. */
  runId?: string;
  /** For the log only (e.g. why the signing key could not be fetched); already free of credentials. */
  detail?: string;
  /** The signature matched no key: a rotated key may explain it. */
  badSignature?: true;
}

export type WebhookVerification = { ok: true; event: WebhookEvent } | WebhookRejection;

/** Checks a webhook; `nowMs` is the receiver's clock. */
export type WebhookVerifier = (req: WebhookRequest, nowMs: number) => Promise<WebhookVerification>;

/** How far a signed timestamp may be from the receiver's clock, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The first value of a header, or undefined when absent or empty. */
export function headerOf(req: WebhookRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

/** Rejects a timestamp that is not Unix seconds (400) or lies more than 300 s from now (401). */
export function checkTimestamp(timestamp: string, nowMs: number): WebhookRejection | null {
  if (!/^\d{1,12}$/.test(timestamp)) return reject(400, 'timestamp is not Unix seconds');
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS) {
    return reject(401, `timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s from now`);
  }
  return null;
}

/** `<timestamp>.<raw body>` as bytes: the message both schemes sign. */
export function signedMessage(timestamp: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), body]);
}

/** The body read as JSON against `schema`, or a 400 that names the first bad field (never a value of the body). */
export function readJsonBody<S extends z.ZodType>(
  schema: S,
  body: Buffer,
  expected: string,
  runId?: string,
): { ok: true; data: z.output<S> } | WebhookRejection {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return reject(400, `body is not JSON (${expected} expected)`, runId);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, data: parsed.data };
  const field = parsed.error.issues[0]?.path.map(String).join('.') || 'body';
  return reject(400, `body is not ${expected} (${field})`, runId);
}

/** A run id fit for a log line and a rejection: ids are short words; anything else is left out. */
export function safeRunId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value) ? value : undefined;
}

export function reject(status: WebhookRejection['status'], reason: string, runId?: string): WebhookRejection {
  const safe = safeRunId(runId);
  return safe === undefined ? { ok: false, status, reason } : { ok: false, status, reason, runId: safe };
}
