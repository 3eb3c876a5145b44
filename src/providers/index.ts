import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { ProviderName } from '../shared/constants.js';
import { createArtuAdapter } from './artu/adapter.js';
import { ProviderConfigError } from './errors.js';
import { createLaminaAdapter } from './lamina/adapter.js';
import { createMagnificAdapter, MAGNIFIC_RATE_LIMIT } from './magnific/adapter.js';
import { sharedTokenBucket } from './rate-limit.js';
import type { TokenBucket } from './rate-limit.js';
import type { ProviderAdapter } from './types.js';

export * from './errors.js';
export * from './types.js';
export { createLaminaAdapter } from './lamina/adapter.js';
export type { LaminaAdapterOptions } from './lamina/adapter.js';
export { createArtuAdapter } from './artu/adapter.js';
export type { ArtuAdapterOptions } from './artu/adapter.js';
export { createMagnificAdapter, MAGNIFIC_POLL_INTERVAL_MS, MAGNIFIC_RATE_LIMIT } from './magnific/adapter.js';
export type { MagnificAdapterOptions } from './magnific/adapter.js';
export { TokenBucket } from './rate-limit.js';
export type { TokenBucketOptions } from './rate-limit.js';
export { download, MAX_ASSET_REDIRECTS, type DownloadSink } from './download.js';
export { closeSharedAgent } from './http.js';
export type { DownloadOptions, DownloadResult } from './download.js';
export { redactSecrets } from './redact.js';
export { isSubmitAmbiguous } from './ambiguity.js';

/** Lamina's public API origin, used when LAMINA_BASE_URL is not set. */
export const LAMINA_DEFAULT_BASE_URL = 'https://app.uselamina.ai';
/** Artu's public API origin, used when ARTU_BASE_URL is not set. */
export const ARTU_DEFAULT_BASE_URL = 'https://api.artu.ai';
/** Magnific's public API origin, used when MAGNIFIC_BASE_URL is not set (the older host: https://api.freepik.com). */
export const MAGNIFIC_DEFAULT_BASE_URL = 'https://api.magnific.com';
/** The header Magnific reads the key from, unless MAGNIFIC_API_KEY_HEADER names another (x-freepik-api-key). */
export const MAGNIFIC_DEFAULT_API_KEY_HEADER = 'x-magnific-api-key';

/** Test and tuning hooks for createAdapter; production code passes none. */
export interface CreateAdapterOptions {
  dispatcher?: Dispatcher;
  requestTimeoutMs?: number;
  /** Magnific only: this bucket instead of the process-wide one of the account. */
  rateLimit?: TokenBucket;
}

/**
 * The adapter for a provider, configured from the worker's environment (credentials live only there, never in
 * workflow inputs). Call it once per worker when activities are created, so a missing key fails the worker's start
 * with a ProviderConfigError that names the variable to set instead of failing every row later.
 */
export function createAdapter(
  provider: ProviderName,
  env: NodeJS.ProcessEnv = process.env,
  options: CreateAdapterOptions = {},
): ProviderAdapter {
  switch (provider) {
    case 'lamina':
      return createLaminaAdapter({
        apiKey: requireVar(provider, env, 'LAMINA_API_KEY'),
        baseUrl: baseUrlFrom(provider, env, 'LAMINA_BASE_URL', LAMINA_DEFAULT_BASE_URL),
        ...httpOptions(options),
      });
    case 'artu':
      return createArtuAdapter({
        apiKey: requireVar(provider, env, 'ARTU_API_KEY'),
        environment: artuEnvironment(env),
        baseUrl: baseUrlFrom(provider, env, 'ARTU_BASE_URL', ARTU_DEFAULT_BASE_URL),
        triggerType: env.ARTU_TRIGGER_TYPE?.trim() || 'manual',
        ...httpOptions(options),
      });
    case 'magnific': {
      const apiKey = requireVar(provider, env, 'MAGNIFIC_API_KEY');
      const baseUrl = baseUrlFrom(provider, env, 'MAGNIFIC_BASE_URL', MAGNIFIC_DEFAULT_BASE_URL);
      // One bucket per account and host for the whole process: every adapter built for it shares the budget.
      const account = `magnific ${baseUrl} ${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
      return createMagnificAdapter({
        apiKey,
        baseUrl,
        apiKeyHeader: magnificKeyHeader(env),
        rateLimit: options.rateLimit ?? sharedTokenBucket(account, MAGNIFIC_RATE_LIMIT),
        ...httpOptions(options),
      });
    }
  }
}

function httpOptions(options: CreateAdapterOptions): { dispatcher?: Dispatcher; requestTimeoutMs?: number } {
  return {
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  };
}

/** ARTU_ENVIRONMENT, required and 'test' or 'live'; a wrong value is never echoed (it may be a misplaced key). */
function artuEnvironment(env: NodeJS.ProcessEnv): 'test' | 'live' {
  const raw = env.ARTU_ENVIRONMENT?.trim();
  if (!raw) {
    throw new ProviderConfigError(
      'artu',
      `ARTU_ENVIRONMENT is not set: set it to 'test' or 'live' in the environment of the worker process`,
      'ARTU_ENVIRONMENT',
    );
  }
  const value = raw.toLowerCase();
  if (value !== 'test' && value !== 'live') {
    throw new ProviderConfigError('artu', `ARTU_ENVIRONMENT must be 'test' or 'live'`, 'ARTU_ENVIRONMENT');
  }
  return value;
}

function magnificKeyHeader(env: NodeJS.ProcessEnv): string {
  const header = env.MAGNIFIC_API_KEY_HEADER?.trim() || MAGNIFIC_DEFAULT_API_KEY_HEADER;
  if (!/^[A-Za-z0-9-]+$/.test(header)) {
    throw new ProviderConfigError(
      'magnific',
      `MAGNIFIC_API_KEY_HEADER must be a header name such as ${MAGNIFIC_DEFAULT_API_KEY_HEADER} or x-freepik-api-key`,
      'MAGNIFIC_API_KEY_HEADER',
    );
  }
  return header;
}

function requireVar(provider: ProviderName, env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new ProviderConfigError(
      provider,
      `${name} is not set: set it in the environment of the worker process (the one running "durabatch worker" or "durabatch run")`,
      name,
    );
  }
  return value;
}

function baseUrlFrom(provider: ProviderName, env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProviderConfigError(provider, `${name} is not a valid absolute URL`, name);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ProviderConfigError(provider, `${name} must be an http(s) URL without query or fragment`, name);
  }
  return raw.replace(/\/+$/, '');
}
