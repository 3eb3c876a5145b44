import { jsonResponse } from '../http.js';
import type { RequestContext, SimResponse } from '../http.js';
import { artuView } from './context.js';
import type { ArtuDeps } from './context.js';
import { artuError } from './errors.js';
import type { ArtuEnvironment } from './errors.js';
import { ARTU_TERMINAL } from './executions.js';
import type { ArtuExecution } from './executions.js';
import { executionJson } from './serialize.js';

const DEFAULT_WAIT_MS = 30_000;

function lookup(deps: ArtuDeps, ctx: RequestContext, environment: ArtuEnvironment): ArtuExecution | undefined {
  return deps.store.get(ctx.params[0] ?? '', environment);
}

const notFound = (): SimResponse => artuError(404, 'NOT_FOUND', 'Execution not found');

/** GET /workflows/executions/{id}: the Execution (executions of the other environment are not found). */
export function getExecution(deps: ArtuDeps, ctx: RequestContext, environment: ArtuEnvironment): SimResponse {
  const execution = lookup(deps, ctx, environment);
  if (!execution) return notFound();
  return jsonResponse(200, executionJson(execution, artuView(deps)));
}

function waitTimeout(ctx: RequestContext): number | null {
  const raw = ctx.url.searchParams.get('timeoutMs');
  if (raw === null) return DEFAULT_WAIT_MS;
  if (!/^\d{1,9}$/.test(raw.trim())) return null;
  const value = Number(raw);
  return value >= 1000 && value <= 60_000 ? value : null;
}

/**
 * GET /workflows/executions/{id}/wait?timeoutMs=1000..60000 (default 30000): blocks until the execution is
 * terminal or the timeout (capped by maxWaitMs) passes, then answers 200 with the Execution as it is. A run that
 * waits for input is not terminal, so its wait lasts the whole timeout.
 */
export async function waitExecution(
  deps: ArtuDeps,
  ctx: RequestContext,
  environment: ArtuEnvironment,
): Promise<SimResponse> {
  const timeoutMs = waitTimeout(ctx);
  if (timeoutMs === null) return artuError(400, 'VALIDATION_ERROR', 'timeoutMs must be an integer from 1000 to 60000');
  const execution = lookup(deps, ctx, environment);
  if (!execution) return notFound();
  const ms = Math.min(timeoutMs, deps.settings().maxWaitMs ?? Infinity);
  await deps.store.waitUntil(execution, (e) => ARTU_TERMINAL.has(e.status), ms, ctx.signal);
  return jsonResponse(200, executionJson(execution, artuView(deps)));
}

/** POST /workflows/executions/{id}/cancel: `{id, status}`; a terminal execution keeps its status. */
export function cancelExecution(deps: ArtuDeps, ctx: RequestContext, environment: ArtuEnvironment): SimResponse {
  const execution = lookup(deps, ctx, environment);
  if (!execution) return notFound();
  deps.store.cancel(execution);
  return jsonResponse(200, { id: execution.id, status: execution.status });
}
