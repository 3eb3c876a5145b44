import type { Dispatcher } from 'undici';
import { ProviderConfigError, ProviderProtocolError } from '../errors.js';
import type { ProviderErrorContext } from '../errors.js';
import { createProviderClient } from '../provider-client.js';
import { toAppDefinition, toRunSnapshot } from './map.js';
import { LAMINA_STREAM_IDLE_TIMEOUT_MS, streamLaminaRun } from './stream.js';
import {
  laminaAppEnvelope,
  laminaCancelEnvelope,
  laminaExecutionSchema,
  laminaListEnvelope,
  laminaRunEnvelope,
  laminaStartEnvelope,
  laminaWaitEnvelope,
} from './schemas.js';
import type { ListedRun, ProviderAdapter, RunSnapshot } from '../types.js';

/** What createLaminaAdapter needs; createAdapter fills it from LAMINA_API_KEY and LAMINA_BASE_URL. */
export interface LaminaAdapterOptions {
  apiKey: string;
  /** Origin plus optional path prefix, e.g. https://app.uselamina.ai or http://127.0.0.1:8787/lamina. */
  baseUrl: string;
  /** Timeout of every request except the long-poll (which gets its wait time plus a margin). Default 30 s. */
  requestTimeoutMs?: number;
  /** How long an open event stream may stay silent (not even a ping) before it counts as cut. Default 45 s. */
  streamIdleTimeoutMs?: number;
  /** Another undici dispatcher (a MockAgent in tests); the process-wide keep-alive agent by default. */
  dispatcher?: Dispatcher;
}

/** Default timeout of Lamina's ordinary requests (all but the long-poll). */
export const LAMINA_DEFAULT_TIMEOUT_MS = 30_000;
/** The wait endpoint's bounds (seed 000: 1 <= timeout <= 120). */
export const LAMINA_MAX_WAIT_SECONDS = 120;
/** Added to the wait time so the server's `timeout: true` answer always arrives before undici gives up. */
export const LAMINA_WAIT_MARGIN_MS = 15_000;
/** Lamina's largest list page. */
export const LAMINA_LIST_PAGE_SIZE = 100;
/** Safety stop for listRuns: 100 000 runs since one submit attempt means the listing cannot prove anything. */
const MAX_LIST_PAGES = 1000;

/**
 * The Lamina adapter (docs.uselamina.ai): one request per call, no retries, every answer validated. startRun is the
 * one call that bills; when it fails the error says whether the POST may have reached Lamina, as no row may start
 * two paid runs (docs/decisions/0002). A ProviderProtocolError from startRun carries the 2xx `status`: the run was
 * then created but its id lost.
 */
export function createLaminaAdapter(options: LaminaAdapterOptions): ProviderAdapter {
  const apiKey = options.apiKey.trim();
  if (apiKey === '')
    throw new ProviderConfigError('lamina', 'the API key is empty: set LAMINA_API_KEY', 'LAMINA_API_KEY');
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.requestTimeoutMs ?? LAMINA_DEFAULT_TIMEOUT_MS;

  const client = createProviderClient({
    provider: 'lamina',
    baseUrl,
    headers: { 'x-api-key': apiKey },
    timeoutMs,
    dispatcher: options.dispatcher,
    secrets: [apiKey],
  });
  const runPath = (runId: string) => `/v1/runs/${encodeURIComponent(runId)}`;

  return {
    provider: 'lamina',
    waitMode: 'long-poll',
    clockOffsetMs: () => client.clockOffsetMs(),

    async getApp(appId, opts) {
      const r = await client.call({
        method: 'GET',
        path: `/v1/apps/${encodeURIComponent(appId)}`,
        signal: opts?.signal,
      });
      return toAppDefinition(client.parse(laminaAppEnvelope, r).data, appId);
    },

    async startRun(appId, inputs, opts) {
      const r = await client.call({
        method: 'POST',
        path: `/v1/apps/${encodeURIComponent(appId)}/runs`,
        query: { webhook: opts?.webhookUrl },
        body: { inputs },
        signal: opts?.signal,
      });
      const runId = client.parse(laminaStartEnvelope, r).data.runId;
      return { runId, snapshot: startSnapshot(r.body, r.ctx) };
    },

    async getRun(runId, opts) {
      const r = await client.call({ method: 'GET', path: runPath(runId), signal: opts?.signal });
      return toRunSnapshot(client.parse(laminaRunEnvelope, r).data, r.ctx);
    },

    async waitRun(runId, opts) {
      const seconds = clampWaitSeconds(opts.timeoutSeconds);
      const r = await client.call({
        method: 'GET',
        path: `${runPath(runId)}/wait`,
        query: { timeout: seconds },
        signal: opts.signal,
        timeoutMs: seconds * 1000 + LAMINA_WAIT_MARGIN_MS,
      });
      // `timeout: true` only means "not finished yet": the snapshot is returned as is and is not terminal.
      return toRunSnapshot(client.parse(laminaWaitEnvelope, r).data, r.ctx);
    },

    async listRuns(query) {
      const runs = new Map<string, ListedRun>();
      let offset = 0;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const r = await client.call({
          method: 'GET',
          path: '/v1/runs',
          query: { appId: query.appId, since: query.since, limit: LAMINA_LIST_PAGE_SIZE, offset },
          signal: query.signal,
        });
        const { data, pagination } = client.parse(laminaListEnvelope, r);
        for (const run of data) {
          if (!runs.has(run.runId)) {
            runs.set(run.runId, {
              runId: run.runId,
              providerStatus: run.status,
              createdAt: run.createdAt,
              inputs: null,
            });
          }
        }
        offset += data.length;
        if (data.length === 0 || offset >= pagination.total) return [...runs.values()];
      }
      const ctx = { provider: 'lamina' as const, method: 'GET', path: '/v1/runs' };
      throw new ProviderProtocolError({ ...ctx, problem: `pagination did not end after ${MAX_LIST_PAGES} pages` });
    },

    streamRun(runId, opts) {
      const idleTimeoutMs = options.streamIdleTimeoutMs ?? LAMINA_STREAM_IDLE_TIMEOUT_MS;
      const config = { apiKey, baseUrl, connectTimeoutMs: timeoutMs, idleTimeoutMs, dispatcher: options.dispatcher };
      return streamLaminaRun(config, runId, opts);
    },

    async cancelRun(runId, opts) {
      const r = await client.call({ method: 'POST', path: `${runPath(runId)}/cancel`, signal: opts?.signal });
      client.parse(laminaCancelEnvelope, r);
    },
  };
}

/** The wait time Lamina accepts: whole seconds in 1..120 (60 when the caller passes nonsense). */
export function clampWaitSeconds(seconds: number): number {
  if (!Number.isFinite(seconds)) return 60;
  return Math.min(LAMINA_MAX_WAIT_SECONDS, Math.max(1, Math.round(seconds)));
}

/** The start answer as a snapshot when it is a complete ExecutionStatus, else null: the runId alone is enough. */
function startSnapshot(body: unknown, ctx: ProviderErrorContext): RunSnapshot | null {
  const data = (body as { data?: unknown } | null)?.data;
  const parsed = laminaExecutionSchema.safeParse(data);
  if (!parsed.success) return null;
  try {
    return toRunSnapshot(parsed.data, ctx);
  } catch {
    return null;
  }
}
