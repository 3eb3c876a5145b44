import { ApplicationFailure } from '@temporalio/common';
import {
  ProviderAbortedError,
  ProviderError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from '../providers/errors.js';
import { FAILURE_TYPES } from '../shared/failures.js';

/**
 * The activity boundary: the one place where adapter errors become Temporal failures (design.md, "Activities").
 * 4xx other than 408/429 → non-retryable; 429/503 → retryable after Retry-After; other 5xx and network errors →
 * retryable. Messages pass through `redact` so no credential can reach a history.
 */
export function toActivityFailure(err: unknown, secrets: readonly string[]): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof Error)) return err;
  const message = redact(err.message, secrets);
  const details = err instanceof ProviderError ? [describeProviderError(err)] : [];
  if (err instanceof ProviderHttpError) return fromHttpError(err, message, details);
  if (err instanceof ProviderNetworkError || err instanceof ProviderTimeoutError) {
    return ApplicationFailure.create({ type: FAILURE_TYPES.providerUnavailable, message, details });
  }
  if (err instanceof ProviderProtocolError) {
    return ApplicationFailure.create({ type: FAILURE_TYPES.providerProtocol, message, details, nonRetryable: true });
  }
  if (err instanceof ProviderAbortedError) return err;
  const typed = err as Error & { code?: unknown; retryable?: unknown };
  if (typed.name === 'AssetError') {
    return ApplicationFailure.create({
      type: FAILURE_TYPES.assetDownload,
      message,
      details: [{ code: typed.code }],
      nonRetryable: typed.retryable === false,
    });
  }
  if (typed.name === 'ProviderConfigError') {
    return ApplicationFailure.create({ type: FAILURE_TYPES.configuration, message, nonRetryable: true });
  }
  if (message !== err.message) return new Error(message);
  return err;
}

function fromHttpError(err: ProviderHttpError, message: string, details: unknown[]): ApplicationFailure {
  const status = err.status ?? 0;
  const delay = err.retryAfterSeconds !== undefined ? { nextRetryDelay: `${err.retryAfterSeconds}s` } : {};
  if (status === 429 || status === 503) {
    return ApplicationFailure.create({ type: FAILURE_TYPES.providerThrottled, message, details, ...delay });
  }
  if (status === 401 || status === 403) {
    return ApplicationFailure.create({ type: FAILURE_TYPES.providerAuth, message, details, nonRetryable: true });
  }
  if (status >= 400 && status < 500 && status !== 408) {
    return ApplicationFailure.create({ type: FAILURE_TYPES.providerRejected, message, details, nonRetryable: true });
  }
  return ApplicationFailure.create({ type: FAILURE_TYPES.providerUnavailable, message, details, ...delay });
}

/** A plain object for failure details: context only, never headers or bodies that may hold secrets. */
function describeProviderError(err: ProviderError): Record<string, unknown> {
  return {
    provider: err.provider,
    method: err.method,
    path: err.path,
    status: err.status ?? null,
    providerCode: err.providerCode ?? null,
    requestId: err.requestId ?? null,
  };
}

/** Replaces every known secret in a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
