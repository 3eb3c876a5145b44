import type { Dispatcher } from 'undici';
import type { ProviderName } from '../shared/constants.js';
import { ProviderConfigError } from './errors.js';
import { createLaminaAdapter } from './lamina.js';
import type { ProviderAdapter } from './types.js';

export * from './errors.js';
export * from './types.js';
export { createLaminaAdapter } from './lamina.js';
export type { LaminaAdapterOptions } from './lamina.js';
export { downloadToFile, MAX_ASSET_REDIRECTS } from './download.js';
export { closeSharedAgent } from './http.js';
export type { DownloadOptions, DownloadResult } from './download.js';
export { redactSecrets } from './redact.js';
export { isSubmitAmbiguous } from './ambiguity.js';

/** Lamina's public API origin, used when LAMINA_BASE_URL is not set. */
export const LAMINA_DEFAULT_BASE_URL = 'https://app.uselamina.ai';

/** Test and tuning hooks for createAdapter; production code passes none. */
export interface CreateAdapterOptions {
  dispatcher?: Dispatcher;
  requestTimeoutMs?: number;
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
        ...options,
      });
    case 'artu':
    case 'magnific':
      throw new ProviderConfigError(provider, `provider "${provider}" is not supported yet; only lamina is`);
  }
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
