import { jsonResponse } from '../http.js';
import type { RequestContext, SimResponse } from '../http.js';
import { statusView } from './context.js';
import type { LaminaDeps } from './context.js';
import { laminaError } from './errors.js';
import { TERMINAL_STATUSES } from './runs.js';
import type { LaminaRunStatus, RunFilter } from './runs.js';
import { executionStatus, listedRun } from './status.js';

const STATUSES: readonly LaminaRunStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

/** An integer query parameter within [min, max]; `fallback` when absent, null when invalid. */
function intParam(ctx: RequestContext, name: string, fallback: number, min: number, max: number): number | null {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) return null;
  const value = Number(raw);
  return value >= min && value <= max ? value : null;
}

function notFound(ctx: RequestContext): SimResponse {
  return laminaError(404, 'NOT_FOUND', 'Run not found', ctx.requestId);
}

/** GET /v1/runs/{runId}: the run's ExecutionStatus. */
export function getRun(deps: LaminaDeps, ctx: RequestContext): SimResponse {
  const run = deps.store.get(ctx.params[0] ?? '');
  return run ? jsonResponse(200, { data: executionStatus(run, statusView(deps)) }) : notFound(ctx);
}

/**
 * GET /v1/runs/{runId}/wait?timeout=1..120: blocks until the run is terminal or the timeout (capped by maxWaitMs)
 * passes, then answers with the status, plus `timeout: true` when the run is not finished yet.
 */
export async function waitRun(deps: LaminaDeps, ctx: RequestContext): Promise<SimResponse> {
  const timeout = intParam(ctx, 'timeout', 60, 1, 120);
  if (timeout === null) {
    return laminaError(400, 'VALIDATION_ERROR', 'timeout must be an integer from 1 to 120', ctx.requestId);
  }
  const run = deps.store.get(ctx.params[0] ?? '');
  if (!run) return notFound(ctx);
  const ms = Math.min(timeout * 1000, deps.settings().maxWaitMs ?? Infinity);
  await deps.store.waitForTerminal(run, ms, ctx.signal);
  const data = executionStatus(run, statusView(deps));
  return jsonResponse(200, TERMINAL_STATUSES.has(run.status) ? { data } : { data, timeout: true });
}

function parseFilter(ctx: RequestContext): RunFilter | string {
  const filter: RunFilter = {};
  const appId = ctx.url.searchParams.get('appId');
  if (appId) filter.appId = appId;
  const status = ctx.url.searchParams.get('status');
  if (status) {
    if (!STATUSES.includes(status as LaminaRunStatus)) return `status must be one of ${STATUSES.join(', ')}`;
    filter.status = status as LaminaRunStatus;
  }
  const since = ctx.url.searchParams.get('since');
  if (since) {
    const ms = Date.parse(since);
    if (Number.isNaN(ms)) return 'since must be an ISO 8601 timestamp';
    filter.sinceMs = ms;
  }
  return filter;
}

/** GET /v1/runs?appId=&status=&since=&limit=&offset=: runs oldest first, one page at a time. */
export function listRuns(deps: LaminaDeps, ctx: RequestContext): SimResponse {
  const invalid = (message: string): SimResponse => laminaError(400, 'VALIDATION_ERROR', message, ctx.requestId);
  const limit = intParam(ctx, 'limit', 20, 1, 100);
  if (limit === null) return invalid('limit must be an integer from 1 to 100');
  const offset = intParam(ctx, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  if (offset === null) return invalid('offset must be an integer, 0 or more');
  const filter = parseFilter(ctx);
  if (typeof filter === 'string') return invalid(filter);
  const runs = deps.store.list(filter);
  const page = runs.slice(offset, offset + limit).map(listedRun);
  return jsonResponse(200, { data: page, pagination: { total: runs.length, limit, offset } });
}

/** POST /v1/runs/{runId}/cancel: cancels a live run; idempotent for terminal runs. */
export function cancelRun(deps: LaminaDeps, ctx: RequestContext): SimResponse {
  const run = deps.store.get(ctx.params[0] ?? '');
  if (!run) return notFound(ctx);
  deps.store.cancel(run);
  return jsonResponse(200, { data: { runId: run.runId, status: run.status } });
}
