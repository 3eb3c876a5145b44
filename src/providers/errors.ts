import type { ProviderName } from '../shared/constants.js';

/**
 * Errors thrown by provider adapters. Each carries the request's context (provider, method, path, status,
 * provider code, request id, Retry-After) and never a credential. The activity boundary
 * (src/activities/failures.ts) is the single place that turns them into Temporal failures.
 */

export interface ProviderErrorContext {
  provider: ProviderName;
  method: string;
  /** URL path without query string or host (query strings may carry tokens). */
  path: string;
  status?: number | undefined;
  providerCode?: string | undefined;
  requestId?: string | undefined;
  retryAfterSeconds?: number | undefined;
  cause?: unknown;
}

export abstract class ProviderError extends Error {
  abstract readonly code: string;
  readonly provider: ProviderName;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, ctx: ProviderErrorContext) {
    super(message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.provider = ctx.provider;
    this.method = ctx.method;
    this.path = ctx.path;
    this.status = ctx.status;
    this.providerCode = ctx.providerCode;
    this.requestId = ctx.requestId;
    this.retryAfterSeconds = ctx.retryAfterSeconds;
  }

  protected static describe(ctx: ProviderErrorContext): string {
    return `${ctx.provider}: ${ctx.method} ${ctx.path}`;
  }
}

/** The provider answered with a non-2xx status. */
export class ProviderHttpError extends ProviderError {
  override readonly name = 'ProviderHttpError';
  readonly code = 'PROVIDER_HTTP';
  /** The provider's error message, already stripped of anything that looks like a credential. */
  readonly providerMessage: string | undefined;
  readonly details: unknown;

  constructor(ctx: ProviderErrorContext & { status: number; providerMessage?: string | undefined; details?: unknown }) {
    const code = ctx.providerCode ? ` ${ctx.providerCode}` : '';
    const retry = ctx.retryAfterSeconds !== undefined ? ` (retry after ${ctx.retryAfterSeconds} s)` : '';
    const msg = ctx.providerMessage ? `: ${ctx.providerMessage}` : '';
    super(`${ProviderError.describe(ctx)} failed with ${ctx.status}${code}${retry}${msg}`, ctx);
    this.providerMessage = ctx.providerMessage;
    this.details = ctx.details;
  }
}

/**
 * The request failed without an HTTP answer. `requestSent` is false only when the failure surely happened before
 * any byte of the request could reach the provider (connection refused, DNS, TLS handshake): the one case in which
 * repeating a run-start is safe.
 */
export class ProviderNetworkError extends ProviderError {
  override readonly name = 'ProviderNetworkError';
  readonly code = 'PROVIDER_NETWORK';
  readonly requestSent: boolean;
  readonly networkCode: string | undefined;

  constructor(ctx: ProviderErrorContext & { requestSent: boolean; networkCode?: string | undefined }) {
    const what = ctx.networkCode ? ` (${ctx.networkCode})` : '';
    const sent = ctx.requestSent ? 'after the request was sent' : 'before the request was sent';
    super(`${ProviderError.describe(ctx)} failed ${sent}${what}`, ctx);
    this.requestSent = ctx.requestSent;
    this.networkCode = ctx.networkCode;
  }
}

/** No complete answer within the request timeout, after the request was sent. */
export class ProviderTimeoutError extends ProviderError {
  override readonly name = 'ProviderTimeoutError';
  readonly code = 'PROVIDER_TIMEOUT';

  constructor(ctx: ProviderErrorContext & { timeoutMs: number }) {
    super(`${ProviderError.describe(ctx)} got no answer within ${ctx.timeoutMs} ms`, ctx);
  }
}

/** The provider answered 2xx with something that breaks its contract (HTML, truncated JSON, missing field). */
export class ProviderProtocolError extends ProviderError {
  override readonly name = 'ProviderProtocolError';
  readonly code = 'PROVIDER_PROTOCOL';

  constructor(ctx: ProviderErrorContext & { problem: string }) {
    super(`${ProviderError.describe(ctx)} answered outside its contract: ${ctx.problem}`, ctx);
  }
}

/** The request was aborted by our own cancellation signal (activity cancelled or timed out). */
export class ProviderAbortedError extends ProviderError {
  override readonly name = 'ProviderAbortedError';
  readonly code = 'PROVIDER_ABORTED';

  constructor(ctx: ProviderErrorContext & { requestSent: boolean }) {
    super(`${ProviderError.describe(ctx)} was aborted`, ctx);
    this.requestSent = ctx.requestSent;
  }

  readonly requestSent: boolean;
}

/**
 * The worker is not configured to speak to a provider (missing API key, bad base URL, provider not supported yet).
 * Thrown when an adapter is created, before any request. The message names the environment variable to set on the
 * worker and never its value.
 */
export class ProviderConfigError extends Error {
  override readonly name = 'ProviderConfigError';
  readonly code = 'PROVIDER_CONFIG';
  readonly provider: ProviderName;
  /** The environment variable to set or fix, when one is to blame. */
  readonly variable: string | undefined;

  constructor(provider: ProviderName, problem: string, variable?: string) {
    super(`${provider}: ${problem}`);
    this.provider = provider;
    this.variable = variable;
  }
}

/** Stable codes of AssetError, one per way a download can fail. */
export type AssetErrorCode =
  | 'ASSET_BAD_SCHEME'
  | 'ASSET_HOST_NOT_ALLOWED'
  | 'ASSET_TOO_MANY_REDIRECTS'
  | 'ASSET_TOO_LARGE'
  | 'ASSET_EXPIRED'
  | 'ASSET_HTTP'
  | 'ASSET_TIMEOUT'
  | 'ASSET_NETWORK'
  | 'ASSET_ABORTED'
  | 'ASSET_IO';

/** What an AssetError is built from. */
export interface AssetErrorContext {
  code: AssetErrorCode;
  /** Scheme, host and path of the URL, never its query string (it holds the signature): see `describeAssetUrl`. */
  url: string;
  problem: string;
  retryable: boolean;
  status?: number | undefined;
  expired?: boolean | undefined;
  cause?: unknown;
}

/**
 * An output could not be downloaded. `retryable` says whether repeating the same download may help (network,
 * timeouts, 408/429/5xx); `expired` says the signed URL is no longer accepted (401/403/410), so the caller should
 * fetch the run again for a fresh URL instead of repeating this one.
 */
export class AssetError extends Error {
  override readonly name = 'AssetError';
  readonly code: AssetErrorCode;
  readonly retryable: boolean;
  readonly expired: boolean;
  readonly status: number | undefined;
  readonly url: string;

  constructor(ctx: AssetErrorContext) {
    super(`download of ${ctx.url} failed: ${ctx.problem}`, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.code = ctx.code;
    this.retryable = ctx.retryable;
    this.expired = ctx.expired ?? false;
    this.status = ctx.status;
    this.url = ctx.url;
  }
}

/** Scheme, host and path of a URL for messages: the query string and fragment (signatures, tokens) are dropped. */
export function describeAssetUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '<invalid URL>';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `<${url.protocol} URL>`;
  return `${url.protocol}//${url.host}${url.pathname}`;
}
