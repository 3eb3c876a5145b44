import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { WebhookDelivery } from '../webhook-sender.js';
import type { LaminaRun } from './runs.js';
import { executionStatus } from './status.js';
import type { StatusView } from './status.js';

/** The per-server ED25519 key pair Lamina webhooks are signed with, and its public JWK. */
export interface WebhookKeys {
  privateKey: KeyObject;
  jwk: { kty: string; crv: string; x: string; kid: string; alg: 'EdDSA' };
}

/** A fresh key pair; its public half is served by GET /v1/webhooks/signing-key. */
export function createWebhookKeys(): WebhookKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const exported = publicKey.export({ format: 'jwk' });
  const x = exported.x ?? '';
  return {
    privateKey,
    jwk: { kty: exported.kty ?? 'OKP', crv: exported.crv ?? 'Ed25519', x, kid: `sim-${x.slice(0, 8)}`, alg: 'EdDSA' },
  };
}

/**
 * The webhook of a run that has just ended, when it was started with `?webhook=`: `{"data": ExecutionStatus}`
 * with X-Lamina-Webhook-Request-Id (the run id), X-Lamina-Webhook-Timestamp (Unix seconds) and
 * X-Lamina-Webhook-Signature (hex ED25519 over `<timestamp>.<raw body>`). Null when the run has no webhook.
 */
export function laminaWebhook(run: LaminaRun, view: StatusView, keys: WebhookKeys): WebhookDelivery | null {
  if (run.webhookUrl === null) return null;
  return {
    provider: 'lamina',
    url: run.webhookUrl,
    body: JSON.stringify({ data: executionStatus(run, view) }),
    headers: { 'X-Lamina-Webhook-Request-Id': run.runId },
    signing: {
      timestampHeader: 'X-Lamina-Webhook-Timestamp',
      signatureHeader: 'X-Lamina-Webhook-Signature',
      sign: (message) => sign(null, message, keys.privateKey).toString('hex'),
    },
  };
}
