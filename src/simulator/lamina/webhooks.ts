import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

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
