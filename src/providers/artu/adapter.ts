import type { Dispatcher } from 'undici';
import { ProviderConfigError, ProviderProtocolError } from '../errors.js';
import type { ProviderErrorContext } from '../errors.js';
import { toArtuSnapshot } from './map.js';
import {
  artuCancelSchema,
  artuExecutionSchema,
  artuListSchema,
  artuTriggerFailureSchema,
  artuTriggerSchema,
  artuTriggerSnapshotSchema,
} from './schemas.js';
import { createProviderClient } from '../provider-client.js';
import type { ProviderAnswer } from '../provider-client.js';
import { redactSecrets } from '../redact.js';
import type { ListedRun, ProviderAdapter, RunSnapshot } from '../types.js';

/** What createArtuAdapter needs; createAdapter fills it from ARTU_API_KEY, ARTU_ENVIRONMENT, ARTU_BASE_URL, … */
export interface ArtuAdapterOptions {
  apiKey: string;
  /** Sent as `X-Environment` on every request. */
  environment: 'test' | 'live';
  /** Origin plus optional path prefix, e.g. https://api.artu.ai or http://127.0.0.1:8787/artu. */
  baseUrl: string;
  /** `triggerType` of the trigger body; default 'manual'. */
  triggerType?: string;
  /** Timeout of every request except the long-poll (which gets its wait time plus a margin). Default 30 s. */
  requestTimeoutMs?: number;
  /** Another undici dispatcher (a MockAgent in tests); the process-wide keep-alive agent by default. */
  dispatcher?: Dispatcher;
}

/** Default timeout of Artu's ordinary requests (all but the long-poll). */
export const ARTU_DEFAULT_TIMEOUT_MS = 30_000;
/** The wait endpoint's lower bound in milliseconds (seed 002: 1000 <= timeoutMs <= 60000). */
export const ARTU_MIN_WAIT_MS = 1_000;
/** The wait endpoint's upper bound in milliseconds. */
export const ARTU_MAX_WAIT_MS = 60_000;
/** Added to the wait time so Artu's answer at the end of the wait arrives before undici gives up. */
export const ARTU_WAIT_MARGIN_MS = 15_000;
/** Executions per list page. */
export const ARTU_LIST_PAGE_SIZE = 100;
/** Safety stop for listRuns: 100 000 executions since one submit attempt cannot prove anything. */
const MAX_LIST_PAGES = 1000;
const LIST_PATH = '/workflows/executions/list';

/**
 * The Artu adapter (docs.artu.ai): `Authorization: Bearer` plus `X-Environment` on every request, one request per
 * call, no retries, every answer validated. startRun (the trigger) is the one call that bills; its answer may
 * already say `completed`, and then the snapshot is terminal and nothing needs waiting for. Artu does not describe
 * workflow inputs (getApp is null); its list shows each execution's inputs, so an ambiguous submit can be matched.
 */
export function createArtuAdapter(options: ArtuAdapterOptions): ProviderAdapter {
  const apiKey = options.apiKey.trim();
  if (apiKey === '') throw new ProviderConfigError('artu', 'the API key is empty: set ARTU_API_KEY', 'ARTU_API_KEY');
  if (options.environment !== 'test' && options.environment !== 'live') {
    throw new ProviderConfigError('artu', `the environment must be 'test' or 'live'`, 'ARTU_ENVIRONMENT');
  }
  const triggerType = options.triggerType?.trim() || 'manual';
  const client = createProviderClient({
    provider: 'artu',
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${apiKey}`, 'x-environment': options.environment },
    timeoutMs: options.requestTimeoutMs ?? ARTU_DEFAULT_TIMEOUT_MS,
    dispatcher: options.dispatcher,
    secrets: [apiKey],
  });
  const executionPath = (id: string) => `/workflows/executions/${encodeURIComponent(id)}`;

  return {
    provider: 'artu',
    waitMode: 'long-poll',
    clockOffsetMs: () => client.clockOffsetMs(),

    getApp() {
      return Promise.resolve(null);
    },

    async startRun(workflowId, inputs, opts) {
      const r = await client.call({
        method: 'POST',
        path: `/workflows/${encodeURIComponent(workflowId)}/trigger`,
        body: { triggerType, inputs },
        signal: opts?.signal,
      });
      if (artuTriggerFailureSchema.safeParse(r.body).success && !artuTriggerSchema.safeParse(r.body).success) {
        throw triggerFailure(r, apiKey);
      }
      const runId = client.parse(artuTriggerSchema, r).executionId;
      const snapshot = artuTriggerSnapshotSchema.safeParse(r.body);
      return { runId, snapshot: snapshot.success ? toArtuSnapshot(snapshot.data) : null };
    },

    async getRun(runId, opts) {
      const r = await client.call({ method: 'GET', path: executionPath(runId), signal: opts?.signal });
      return toArtuSnapshot(client.parse(artuExecutionSchema, r));
    },

    async waitRun(runId, opts): Promise<RunSnapshot> {
      const timeoutMs = clampArtuWaitMs(opts.timeoutSeconds * 1000);
      const r = await client.call({
        method: 'GET',
        path: `${executionPath(runId)}/wait`,
        query: { timeoutMs },
        signal: opts.signal,
        timeoutMs: timeoutMs + ARTU_WAIT_MARGIN_MS,
      });
      // When the wait expires Artu answers with the current, non-terminal state: returned as is, the caller loops.
      return toArtuSnapshot(client.parse(artuExecutionSchema, r));
    },

    async listRuns(query) {
      const runs = new Map<string, ListedRun>();
      const seenCursors = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const filter = { workflowId: query.appId, createdAt: { gte: query.since } };
        const r = await client.call({
          method: 'POST',
          path: LIST_PATH,
          body: { filter, limit: ARTU_LIST_PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) },
          signal: query.signal,
        });
        const { data, pagination } = client.parse(artuListSchema, r);
        for (const exec of data) {
          // The server filters by workflow; an execution of another workflow must never be matched to this submit.
          if (exec.workflowId && exec.workflowId !== query.appId) continue;
          if (runs.has(exec.id)) continue;
          runs.set(exec.id, {
            runId: exec.id,
            providerStatus: exec.status,
            createdAt: exec.createdAt,
            // An execution listed without inputs (one an event or a schedule started, say) has none to match a row's:
            // null would make it a candidate for every row, as on Lamina, whose list shows no inputs at all.
            inputs: exec.inputs ?? {},
          });
        }
        if (!pagination.hasMore) return [...runs.values()];
        cursor = nextCursor(pagination.nextCursor, seenCursors, r.ctx);
      }
      const ctx = { provider: 'artu' as const, method: 'POST', path: LIST_PATH };
      throw new ProviderProtocolError({ ...ctx, problem: `pagination did not end after ${MAX_LIST_PAGES} pages` });
    },

    async cancelRun(runId, opts) {
      const r = await client.call({ method: 'POST', path: `${executionPath(runId)}/cancel`, signal: opts?.signal });
      client.parse(artuCancelSchema, r);
    },
  };
}

/** The wait Artu accepts: whole milliseconds in 1000..60000 (60000 when the caller passes nonsense). */
export function clampArtuWaitMs(ms: number): number {
  if (!Number.isFinite(ms)) return ARTU_MAX_WAIT_MS;
  return Math.min(ARTU_MAX_WAIT_MS, Math.max(ARTU_MIN_WAIT_MS, Math.round(ms)));
}

/** The cursor of the next page; a missing or repeated one while `hasMore` would loop forever. */
function nextCursor(cursor: string | null | undefined, seen: Set<string>, ctx: ProviderErrorContext): string {
  if (!cursor) {
    throw new ProviderProtocolError({
      ...ctx,
      problem: 'field pagination.nextCursor is missing while hasMore is true',
    });
  }
  if (seen.has(cursor)) {
    throw new ProviderProtocolError({ ...ctx, problem: 'field pagination.nextCursor repeats an earlier cursor' });
  }
  seen.add(cursor);
  return cursor;
}

/**
 * A 2xx trigger answer with `ok: false` and no execution id. Whether Artu created an execution is unknown, so this
 * stays a ProviderProtocolError (an ambiguous submit, reconciled by listing), now with Artu's own reason.
 */
function triggerFailure(r: ProviderAnswer, apiKey: string): ProviderProtocolError {
  const parsed = artuTriggerFailureSchema.safeParse(r.body);
  const reason =
    parsed.success && parsed.data.error ? `: ${redactSecrets(parsed.data.error.slice(0, 300), [apiKey])}` : '';
  return new ProviderProtocolError({ ...r.ctx, problem: `field executionId is missing (ok: false${reason})` });
}
