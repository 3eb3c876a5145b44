import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Route, SimResponse } from './http.js';
import { outputPng } from './png.js';

/** Path of a simulated output asset. */
export function assetPath(runId: string, index: number): string {
  return `/_sim/assets/${encodeURIComponent(runId)}/${index}.png`;
}

/** Result of checking a signed asset URL. */
export type AssetCheck = 'ok' | 'expired' | 'bad-signature';

/**
 * Signs asset URLs like a storage bucket would: `?expires=<unix ms>&sig=<hex HMAC-SHA256 of path and expiry>`
 * with a secret that lives only as long as this server, so URLs from an earlier simulator never validate.
 */
export class AssetSigner {
  private readonly secret = randomBytes(32);

  constructor(private readonly baseUrl: () => string) {}

  private signature(path: string, expires: string): Buffer {
    return createHmac('sha256', this.secret).update(`${path}\n${expires}`).digest();
  }

  /** An absolute URL to output `index` of `runId`, valid for `ttlMs` from `now`. */
  signedUrl(runId: string, index: number, ttlMs: number, now = Date.now()): string {
    const path = assetPath(runId, index);
    const expires = String(now + ttlMs);
    return `${this.baseUrl()}${path}?expires=${expires}&sig=${this.signature(path, expires).toString('hex')}`;
  }

  /** Checks the signature first (a tampered expiry is a bad signature), then the expiry. */
  check(path: string, expires: string | null, sig: string | null, now = Date.now()): AssetCheck {
    if (expires === null || sig === null || !/^\d+$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) {
      return 'bad-signature';
    }
    if (!timingSafeEqual(this.signature(path, expires), Buffer.from(sig, 'hex'))) return 'bad-signature';
    return Number(expires) < now ? 'expired' : 'ok';
  }
}

function s3Error(code: string, message: string, requestId: string): SimResponse {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`;
  return { status: 403, contentType: 'application/xml', body: xml };
}

/**
 * GET /_sim/assets/{runId}/{index}.png: a small deterministic PNG for a valid signed URL, an S3-like 403 XML error
 * for an expired or wrongly signed one.
 */
export function assetRoute(signer: AssetSigner): Route {
  return {
    method: 'GET',
    pattern: /^\/_sim\/assets\/([^/]+)\/(\d{1,6})\.png$/,
    endpoint: 'asset',
    handle(ctx) {
      const [runId = '', index = '0'] = ctx.params;
      const check = signer.check(
        ctx.url.pathname,
        ctx.url.searchParams.get('expires'),
        ctx.url.searchParams.get('sig'),
      );
      if (check === 'expired') return s3Error('AccessDenied', 'Request has expired', ctx.requestId);
      if (check === 'bad-signature') {
        return s3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match', ctx.requestId);
      }
      return { status: 200, contentType: 'image/png', body: outputPng(runId, Number(index)) };
    },
  };
}
