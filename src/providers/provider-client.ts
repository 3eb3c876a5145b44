import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { ProviderName } from '../shared/constants.js';
import type { ProviderErrorContext } from './errors.js';
import { requestJson } from './http.js';
import type { JsonRequest } from './http.js';
import { parseResponse } from './validate.js';

/** One call through a ProviderClient: the request minus what the client fills in (host, headers, timeout). */
export type ProviderCall = Pick<JsonRequest, 'method' | 'path' | 'query' | 'body' | 'signal'> & { timeoutMs?: number };

/** A 2xx answer and the context that errors about it carry (provider, method, path, status, request id). */
export interface ProviderAnswer {
  body: unknown;
  ctx: ProviderErrorContext;
}

/** What a ProviderClient sends with every request. */
export interface ProviderClientOptions {
  provider: ProviderName;
  /** Origin plus optional path prefix; trailing slashes are dropped. */
  baseUrl: string;
  /** Credential and other fixed headers; credential values are redacted from every error. */
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  dispatcher?: Dispatcher | undefined;
  /** Values (the API key) to keep out of every error and message. */
  secrets: readonly string[];
}

/** Sends one request per call (no retries: Temporal owns them) and validates answers against zod schemas. */
export interface ProviderClient {
  call(c: ProviderCall): Promise<ProviderAnswer>;
  /** The answer checked against `schema`; a missing or wrong field is a ProviderProtocolError naming it. */
  parse<S extends z.ZodType>(schema: S, answer: ProviderAnswer): z.output<S>;
  /** The provider's clock minus this machine's, from the last answer with a Date header (null before one). */
  clockOffsetMs(): number | null;
}

/**
 * The small request helper the Artu and Magnific adapters share: requestJson with the provider's headers, base URL
 * and timeout filled in, and answers validated with the key kept out of every message.
 */
export function createProviderClient(options: ProviderClientOptions): ProviderClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  let clockOffsetMs: number | null = null;
  return {
    async call(c) {
      const res = await requestJson({
        provider: options.provider,
        baseUrl,
        headers: { ...options.headers, 'user-agent': 'durabatch' },
        timeoutMs: options.timeoutMs,
        dispatcher: options.dispatcher,
        secrets: options.secrets,
        ...c,
      });
      const ctx: ProviderErrorContext = { provider: options.provider, method: c.method, path: c.path };
      ctx.status = res.status;
      if (res.requestId !== undefined) ctx.requestId = res.requestId;
      if (res.clockOffsetMs !== undefined) clockOffsetMs = res.clockOffsetMs;
      return { body: res.body, ctx };
    },
    parse(schema, answer) {
      return parseResponse(schema, answer.body, answer.ctx, options.secrets);
    },
    clockOffsetMs: () => clockOffsetMs,
  };
}
