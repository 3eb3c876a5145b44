import { createPublicKey, sign, verify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { requestJson } from '../providers/http.js';
import { LAMINA_TERMINAL_STATUSES } from '../providers/lamina/schemas.js';
import { parseResponse } from '../providers/validate.js';
import { checkTimestamp, headerOf, readJsonBody, reject, signedMessage } from './verify.js';
import type { WebhookRejection, WebhookRequest, WebhookVerification, WebhookVerifier } from './verify.js';

/** Where the public keys that verify webhooks come from. */
export interface WebhookKeySource {
  /** The current keys; `refresh` asks for a refetch (honoured at most once a minute) after a signature failed. */
  getKeys(opts: { refresh: boolean }): Promise<JsonWebKey[]>;
}

export interface LaminaKeySourceOptions {
  baseUrl: string;
  apiKey: string;
  /** How long fetched keys are used without asking again. Default one hour. */
  ttlMs?: number;
  dispatcher?: Dispatcher;
  now?: () => number;
}

export const SIGNING_KEY_TTL_MS = 60 * 60_000;
/** A signature failure refetches the keys (the key may have rotated), but no more often than this. */
export const SIGNING_KEY_REFRESH_INTERVAL_MS = 60_000;
const KEY_REQUEST_TIMEOUT_MS = 10_000;

const signingKeyEnvelope = z.object({
  keys: z.array(z.object({ kty: z.string(), crv: z.string().nullish(), x: z.string().nullish() }).passthrough()),
});

/**
 * Lamina's webhook signing keys (`GET /v1/webhooks/signing-key`), cached for `ttlMs`. Concurrent callers share one
 * fetch. When a fetch fails the stale keys are still used (they were Lamina's), except for a refresh: a signature
 * that matched no key while Lamina cannot be asked is answered 503, so Lamina delivers again later.
 */
export function createLaminaKeySource(options: LaminaKeySourceOptions): WebhookKeySource {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? SIGNING_KEY_TTL_MS;
  const path = '/v1/webhooks/signing-key';
  let cached: { keys: JsonWebKey[]; at: number } | undefined;
  let lastAttempt: { at: number; error?: unknown } | undefined;
  let inflight: Promise<JsonWebKey[]> | undefined;

  const fetchKeys = async (): Promise<JsonWebKey[]> => {
    lastAttempt = { at: now() };
    try {
      const res = await requestJson({
        provider: 'lamina',
        method: 'GET',
        baseUrl: options.baseUrl.replace(/\/+$/, ''),
        path,
        headers: { 'x-api-key': options.apiKey, 'user-agent': 'durabatch' },
        timeoutMs: KEY_REQUEST_TIMEOUT_MS,
        dispatcher: options.dispatcher,
      });
      const ctx = { provider: 'lamina' as const, method: 'GET', path, status: res.status };
      const keys = parseResponse(signingKeyEnvelope, res.body, ctx).keys.filter(isEd25519) as JsonWebKey[];
      cached = { keys, at: now() };
      return keys;
    } catch (err) {
      lastAttempt = { at: lastAttempt?.at ?? now(), error: err };
      throw err;
    }
  };
  const shared = () => (inflight ??= fetchKeys().finally(() => (inflight = undefined)));

  return {
    async getKeys({ refresh }) {
      if (!refresh && cached && now() - cached.at < ttlMs) return cached.keys;
      if (refresh && lastAttempt && now() - lastAttempt.at < SIGNING_KEY_REFRESH_INTERVAL_MS) {
        if (lastAttempt.error !== undefined) throw lastAttempt.error;
        if (cached) return cached.keys;
      }
      try {
        return await shared();
      } catch (err) {
        if (!refresh && cached) return cached.keys;
        throw err;
      }
    },
  };
}

function isEd25519(key: { kty: string; crv?: string | null | undefined; x?: string | null | undefined }): boolean {
  return key.kty === 'OKP' && key.crv === 'Ed25519' && typeof key.x === 'string' && key.x !== '';
}

/**
 * Checks a Lamina webhook (providers.md, "Webhooks"): the three headers present, the timestamp within 300 s of
 * now, the hex ED25519 signature over `<timestamp>.<raw body>` made by one of `keys`, a body of
 * `{"data": ExecutionStatus}`, and Request-Id equal to `data.runId`.
 */
export function verifyLaminaWebhook(
  req: WebhookRequest,
  keys: readonly JsonWebKey[],
  nowMs: number = Date.now(),
): WebhookVerification {
  const signature = headerOf(req, 'x-lamina-webhook-signature');
  const timestamp = headerOf(req, 'x-lamina-webhook-timestamp');
  const requestId = headerOf(req, 'x-lamina-webhook-request-id');
  if (signature === undefined) return reject(400, 'missing X-Lamina-Webhook-Signature header', requestId);
  if (timestamp === undefined) return reject(400, 'missing X-Lamina-Webhook-Timestamp header', requestId);
  if (requestId === undefined) return reject(400, 'missing X-Lamina-Webhook-Request-Id header');
  const stale = checkTimestamp(timestamp, nowMs);
  if (stale) return reject(stale.status, stale.reason, requestId);
  if (!/^[0-9a-f]{128}$/i.test(signature)) return reject(401, 'signature is not 64 bytes of hex', requestId);
  const message = signedMessage(timestamp, req.body);
  const sig = Buffer.from(signature, 'hex');
  if (!keys.some((jwk) => verifiesWith(jwk, message, sig))) {
    return { ...reject(401, 'signature matches no Lamina signing key', requestId), badSignature: true };
  }
  // Only the run id and status matter (the row re-reads the run): a new status word or field must not make every
  // webhook a 400 and every row wait for its fallback.
  const parsed = readJsonBody(laminaWebhookEnvelope, req.body, '{"data": {runId, status}}', requestId);
  if (!parsed.ok) return parsed;
  const { runId, status } = parsed.data.data;
  if (runId !== requestId) return reject(400, 'X-Lamina-Webhook-Request-Id differs from data.runId', runId);
  const kind = LAMINA_TERMINAL_STATUSES.includes(status) ? 'final' : 'progress';
  return { ok: true, event: { provider: 'lamina', runId, kind, status } };
}

/** What a Lamina webhook body must hold for the receiver: the run and its status word (anything else is ignored). */
const laminaWebhookEnvelope = z.object({ data: z.object({ runId: z.string().min(1), status: z.string().min(1) }) });

const imported = new WeakMap<JsonWebKey, KeyObject | null>();

function verifiesWith(jwk: JsonWebKey, message: Buffer, signature: Buffer): boolean {
  let key = imported.get(jwk);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      key = null;
    }
    imported.set(jwk, key);
  }
  if (key === null || key.asymmetricKeyType !== 'ed25519') return false;
  return verify(null, message, key, signature);
}

/**
 * The receiver's Lamina verifier: verifies with the cached keys and, when the signature matches none, once more
 * with refetched keys (the key may have rotated). Keys that cannot be fetched answer 503 so Lamina retries.
 */
export function createLaminaVerifier(source: WebhookKeySource): WebhookVerifier {
  return async (req, nowMs) => {
    const keys = await source.getKeys({ refresh: false }).catch(unavailable);
    if (!Array.isArray(keys)) return keys;
    const first = verifyLaminaWebhook(req, keys, nowMs);
    if (first.ok || first.badSignature !== true) return first;
    const fresh = await source.getKeys({ refresh: true }).catch(unavailable);
    if (!Array.isArray(fresh)) return { ...fresh, ...(first.runId ? { runId: first.runId } : {}) };
    return fresh === keys ? first : verifyLaminaWebhook(req, fresh, nowMs);
  };
}

function unavailable(err: unknown): WebhookRejection {
  const detail = err instanceof Error ? err.message : String(err);
  return { ...reject(503, 'Lamina signing key unavailable'), detail };
}

/**
 * The sending side of the scheme (the simulator and tests): the three headers of a Lamina webhook with this body,
 * signed with an ED25519 private key at `timestamp` (Unix seconds).
 */
export function signLaminaWebhook(
  privateKey: KeyObject,
  body: string | Buffer,
  runId: string,
  timestamp: number,
): Record<string, string> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const signature = sign(null, signedMessage(String(timestamp), bytes), privateKey).toString('hex');
  return {
    'x-lamina-webhook-signature': signature,
    'x-lamina-webhook-timestamp': String(timestamp),
    'x-lamina-webhook-request-id': runId,
  };
}
