import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { checkTimestamp, headerOf, readJsonBody, reject, signedMessage } from './verify.js';
import type { WebhookRequest, WebhookVerification, WebhookVerifier } from './verify.js';

const magnificWebhookBody = z.object({
  event: z.enum(['initialized', 'finished', 'failed']),
  run_id: z.union([z.string().min(1), z.number().transform(String)]),
});

/**
 * Checks a Magnific webhook: `{"event": "initialized" | "finished" | "failed", "run_id": …}`. Magnific does not
 * document a signature; we assume (providers.md) that with a configured secret `X-Magnific-Webhook-Signature` is the
 * hex HMAC-SHA256 of `<X-Magnific-Webhook-Timestamp>.<raw body>`, within the same 300 s window. Without a secret
 * unsigned webhooks are accepted: a webhook only wakes the workflow, which re-reads the run from the API.
 */
export function verifyMagnificWebhook(
  req: WebhookRequest,
  secret: string | undefined,
  nowMs: number = Date.now(),
): WebhookVerification {
  if (secret !== undefined && secret !== '') {
    const signature = headerOf(req, 'x-magnific-webhook-signature');
    const timestamp = headerOf(req, 'x-magnific-webhook-timestamp');
    if (signature === undefined) return reject(400, 'missing X-Magnific-Webhook-Signature header');
    if (timestamp === undefined) return reject(400, 'missing X-Magnific-Webhook-Timestamp header');
    const stale = checkTimestamp(timestamp, nowMs);
    if (stale) return stale;
    const expected = hmac(secret, timestamp, req.body);
    const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reject(401, 'signature does not match the Magnific webhook secret');
    }
  }
  const parsed = readJsonBody(magnificWebhookBody, req.body, 'a Magnific webhook event');
  if (!parsed.ok) return parsed;
  const { event, run_id: runId } = parsed.data;
  return {
    ok: true,
    event: { provider: 'magnific', runId, kind: event === 'initialized' ? 'progress' : 'final', status: event },
  };
}

/** The receiver's Magnific verifier. */
export function createMagnificVerifier(secret: string | undefined): WebhookVerifier {
  return (req, nowMs) => Promise.resolve(verifyMagnificWebhook(req, secret, nowMs));
}

/** The sending side of the assumed scheme (the simulator and tests): signature and timestamp headers for a body. */
export function signMagnificWebhook(secret: string, body: string | Buffer, timestamp: number): Record<string, string> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    'x-magnific-webhook-signature': hmac(secret, String(timestamp), bytes).toString('hex'),
    'x-magnific-webhook-timestamp': String(timestamp),
  };
}

function hmac(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(signedMessage(timestamp, body)).digest();
}
