import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  ProviderAbortedError,
  ProviderError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from '../providers/errors.js';
import { redactSecrets } from '../providers/redact.js';
import { FAILURE_TYPES } from '../shared/failures.js';

/** Answers outside the contract tolerated on the reads of one activity before its row fails with the last one. */
export const MAX_PROTOCOL_READ_ERRORS = 5;
/** First pause after a garbled read; doubled after each further one (0.5, 1, 2, 4 s). */
const PROTOCOL_RETRY_BASE_MS = 500;
/**
 * A garbled read more than this after the previous one starts the count again: a provider that answers garbage
 * now and then during a long wait is not one that has changed its API. Longer than a long-poll plus a backoff.
 */
const PROTOCOL_STREAK_GAP_MS = 120_000;
/** Activities tracked at once; the oldest is forgotten beyond this (only rows that met garbled reads are kept). */
const MAX_TRACKED_ACTIVITIES = 10_000;
const protocolErrorsByActivity = new Map<string, { count: number; lastAt: number }>();

/**
 * The activity boundary: the one place where adapter errors become Temporal failures, so every retry decision is
 * taken from the error's type in one place.
 * 4xx other than 408/429 → non-retryable; 429/503 → retryable after Retry-After; other 5xx and network errors →
 * retryable. An answer outside the contract (HTML, truncated JSON, a missing field) is retried with backoff on a
 * read (GET), at most MAX_PROTOCOL_READ_ERRORS times per activity, and fails at once on anything else: a start
 * that answered garbage is ambiguous and belongs to the submit rules. Messages pass through `redactSecrets` so no
 * credential can reach a history.
 */
export function toActivityFailure(err: unknown, secrets: readonly string[]): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof Error)) return err;
  const message = redactSecrets(err.message, secrets);
  const details = err instanceof ProviderError ? [describeProviderError(err)] : [];
  if (err instanceof ProviderHttpError) return fromHttpError(err, message, details);
  if (err instanceof ProviderNetworkError || err instanceof ProviderTimeoutError) {
    return ApplicationFailure.create({ type: FAILURE_TYPES.providerUnavailable, message, details });
  }
  if (err instanceof ProviderProtocolError) return fromProtocolError(err, message, details);
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

/**
 * A garbled answer to a read is often one bad response (a proxy's error page, a connection cut mid-body), so the
 * read is retried after 0.5, 1, 2, 4 s; the fifth garbled answer in a row (no two more than 2 minutes apart) fails
 * the row. The count is kept per activity (workflow run + activity id, which stay the same across its retries) in
 * this worker's memory: another worker, or a restarted one, starts again at zero, so the bound is per worker and
 * the item deadline bounds the rest.
 */
function fromProtocolError(err: ProviderProtocolError, message: string, details: unknown[]): ApplicationFailure {
  const type = FAILURE_TYPES.providerProtocol;
  if (err.method !== 'GET') return ApplicationFailure.create({ type, message, details, nonRetryable: true });
  const seen = countProtocolError(currentActivityKey());
  if (seen >= MAX_PROTOCOL_READ_ERRORS) {
    const fix =
      `${seen} reads during this wait answered outside the contract one after another, so the row failed; the ` +
      `provider may have changed its API or a proxy may answer in its place: check ${err.provider}'s status and ` +
      `base URL, then redrive the failed rows (durabatch redrive <batchId> --failed)`;
    return ApplicationFailure.create({ type, message: `${message} — ${fix}`, details, nonRetryable: true });
  }
  const delayMs = PROTOCOL_RETRY_BASE_MS * 2 ** (seen - 1);
  return ApplicationFailure.create({ type, message, details, nextRetryDelay: `${delayMs}ms` });
}

/**
 * Counts one more protocol error for the activity, starting again after a quiet gap; without an activity context
 * every error is the first.
 */
function countProtocolError(key: string | null, now = Date.now()): number {
  if (key === null) return 1;
  const last = protocolErrorsByActivity.get(key);
  const count = last !== undefined && now - last.lastAt <= PROTOCOL_STREAK_GAP_MS ? last.count + 1 : 1;
  protocolErrorsByActivity.delete(key); // re-inserted last: the map's order is least recently seen first
  protocolErrorsByActivity.set(key, { count, lastAt: now });
  if (protocolErrorsByActivity.size > MAX_TRACKED_ACTIVITIES) {
    const oldest = protocolErrorsByActivity.keys().next().value;
    if (oldest !== undefined) protocolErrorsByActivity.delete(oldest);
  }
  return count;
}

function currentActivityKey(): string | null {
  let info;
  try {
    info = Context.current().info;
  } catch {
    return null; // not inside an activity (unit tests, the CLI)
  }
  const run = info.workflowExecution;
  return `${info.namespace}/${run?.workflowId ?? ''}/${run?.runId ?? ''}/${info.activityId}`;
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
