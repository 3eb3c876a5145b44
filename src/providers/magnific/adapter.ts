import type { Dispatcher } from 'undici';
import { ProviderAbortedError, ProviderConfigError, ProviderHttpError } from '../errors.js';
import { toMagnificApp, toMagnificSnapshot } from './map.js';
import {
  magnificAppEnvelope,
  magnificRunEnvelope,
  magnificStartSchema,
  magnificWrappedStartSchema,
} from './schemas.js';
import { createProviderClient } from '../provider-client.js';
import type { ProviderAnswer, ProviderCall } from '../provider-client.js';
import { TokenBucket } from '../rate-limit.js';
import type { TokenBucketOptions } from '../rate-limit.js';
import { sanitizeCause } from '../redact.js';
import type { ProviderAdapter, RunSnapshot } from '../types.js';

/** What createMagnificAdapter needs; createAdapter fills it from MAGNIFIC_API_KEY, MAGNIFIC_BASE_URL, … */
export interface MagnificAdapterOptions {
  apiKey: string;
  /** Origin plus optional path prefix, e.g. https://api.magnific.com (or the older https://api.freepik.com). */
  baseUrl: string;
  /** Header that carries the key; default `x-magnific-api-key` (`x-freepik-api-key` on the older host). */
  apiKeyHeader?: string;
  /** Timeout of every request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Another undici dispatcher (a MockAgent in tests); the process-wide keep-alive agent by default. */
  dispatcher?: Dispatcher;
  /** The bucket every request of this adapter draws from (share one per account), or settings for a new one. */
  rateLimit?: TokenBucket | Partial<TokenBucketOptions>;
}

/** Default timeout of Magnific's requests. */
export const MAGNIFIC_DEFAULT_TIMEOUT_MS = 30_000;
/** Magnific has no wait endpoint: poll a run this often (its docs: every 3–5 s, never faster). */
export const MAGNIFIC_POLL_INTERVAL_MS = 4000;
/**
 * Magnific allows bursts of 50 requests/s over 5 s and at most 10 requests/s averaged over 2 minutes, per key.
 * A bucket of 40 refilled at 9.5/s keeps any second under 50 and any 2 minutes under 1200 (40 + 9.5 × 120 = 1180).
 */
export const MAGNIFIC_RATE_LIMIT: Readonly<TokenBucketOptions> = { capacity: 40, refillPerSecond: 9.5 };
/** Longest pause a 429 imposes on the whole bucket, whatever Retry-After says (Temporal retries the row anyway). */
const MAX_RATE_LIMIT_PAUSE_MS = 60_000;

/**
 * The Magnific adapter (docs.magnific.com, Freepik's API family): inputs keyed by input id, one request per call, no
 * retries, every answer validated. Magnific has no wait, list or cancel endpoint: waitRun is one status read and the
 * activities poll every MAGNIFIC_POLL_INTERVAL_MS. Every request first takes a token from the adapter's rate-limit
 * bucket and waits (never fails) when there is none; a 429 pauses the bucket for its Retry-After.
 */
export function createMagnificAdapter(options: MagnificAdapterOptions): ProviderAdapter {
  const apiKey = options.apiKey.trim();
  if (apiKey === '') {
    throw new ProviderConfigError('magnific', 'the API key is empty: set MAGNIFIC_API_KEY', 'MAGNIFIC_API_KEY');
  }
  const header = (options.apiKeyHeader ?? 'x-magnific-api-key').trim().toLowerCase();
  if (!/^[a-z0-9-]+$/.test(header)) {
    throw new ProviderConfigError(
      'magnific',
      'the API key header name is not a valid header name',
      'MAGNIFIC_API_KEY_HEADER',
    );
  }
  const bucket =
    options.rateLimit instanceof TokenBucket
      ? options.rateLimit
      : new TokenBucket({ ...MAGNIFIC_RATE_LIMIT, ...options.rateLimit });
  const client = createProviderClient({
    provider: 'magnific',
    baseUrl: options.baseUrl,
    headers: { [header]: apiKey },
    timeoutMs: options.requestTimeoutMs ?? MAGNIFIC_DEFAULT_TIMEOUT_MS,
    dispatcher: options.dispatcher,
    secrets: [apiKey],
  });

  const call = async (c: ProviderCall): Promise<ProviderAnswer> => {
    try {
      await bucket.take(c.signal);
    } catch (err) {
      const cause = sanitizeCause(err, [apiKey]);
      throw new ProviderAbortedError({
        provider: 'magnific',
        method: c.method,
        path: c.path,
        requestSent: false,
        cause,
      });
    }
    try {
      return await client.call(c);
    } catch (err) {
      if (err instanceof ProviderHttpError && err.status === 429) {
        bucket.pause(Math.min(MAX_RATE_LIMIT_PAUSE_MS, (err.retryAfterSeconds ?? 1) * 1000));
      }
      throw err;
    }
  };

  const getRun = async (runId: string, signal: AbortSignal | undefined): Promise<RunSnapshot> => {
    const r = await call({ method: 'GET', path: `/v1/ai/apps/runs/${encodeURIComponent(runId)}`, signal });
    return toMagnificSnapshot(client.parse(magnificRunEnvelope, r).data, r.ctx);
  };

  return {
    provider: 'magnific',
    waitMode: 'poll',
    pollIntervalMs: MAGNIFIC_POLL_INTERVAL_MS,

    async getApp(appId, opts) {
      const r = await call({ method: 'GET', path: `/v1/ai/apps/${encodeURIComponent(appId)}`, signal: opts?.signal });
      return toMagnificApp(client.parse(magnificAppEnvelope, r).data, appId);
    },

    async startRun(appId, inputs, opts) {
      const r = await call({
        method: 'POST',
        path: `/v1/ai/apps/${encodeURIComponent(appId)}/run`,
        body: opts?.webhookUrl === undefined ? { inputs } : { inputs, webhook: opts.webhookUrl },
        signal: opts?.signal,
      });
      const wrapped = magnificWrappedStartSchema.safeParse(r.body);
      const runId = wrapped.success
        ? wrapped.data.data.workflow_run_identifier
        : client.parse(magnificStartSchema, r).workflow_run_identifier;
      return { runId, snapshot: null };
    },

    getRun: (runId, opts) => getRun(runId, opts?.signal),

    // No wait endpoint: one status read; the caller polls every pollIntervalMs.
    waitRun: (runId, opts) => getRun(runId, opts.signal),
  };
}
