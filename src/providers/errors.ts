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
