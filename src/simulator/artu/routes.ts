import { jsonResponse } from '../http.js';
import type { Route, SimResponse } from '../http.js';
import { artuRoute } from './context.js';
import type { ArtuDeps } from './context.js';
import { artuError } from './errors.js';
import { listExecutions } from './list.js';
import { cancelExecution, getExecution, waitExecution } from './read-routes.js';
import { triggerWorkflow } from './trigger.js';

const ID = '([^/]+)';
/** Artu's paths, also served under /artu so that a base URL with a path prefix can be tested. */
const path = (rest: string): RegExp => new RegExp(`^(?:/artu)?/workflows/${rest}$`);

/**
 * Artu's API (providers.md): trigger, get, wait, cancel and list, every route behind the Bearer key and
 * X-Environment checks, successes as bare objects, errors as `{message, code}`.
 */
export function artuRoutes(deps: ArtuDeps): Route[] {
  return [
    artuRoute(deps, 'POST', path('executions/list'), 'artu.list', (ctx, env) => listExecutions(deps, ctx, env)),
    artuRoute(deps, 'GET', path(`executions/${ID}/wait`), 'artu.wait', (ctx, env) => waitExecution(deps, ctx, env)),
    artuRoute(deps, 'POST', path(`executions/${ID}/cancel`), 'artu.cancel', (ctx, env) =>
      cancelExecution(deps, ctx, env),
    ),
    artuRoute(deps, 'GET', path(`executions/${ID}`), 'artu.get', (ctx, env) => getExecution(deps, ctx, env)),
    artuRoute(deps, 'POST', path(`${ID}/trigger`), 'artu.trigger', (ctx, env) => triggerWorkflow(deps, ctx, env)),
  ];
}

const RESUME = /^\/_sim\/artu\/executions\/([^/]+)\/resume$/;

/**
 * Control endpoint POST /_sim/artu/executions/{id}/resume: the person has answered, so an execution waiting for
 * input finishes by its plan (completed, or errored under `[sim:fail]`). 404 unknown, 409 when not waiting.
 * Returns null for any other path.
 */
export function artuControl(deps: ArtuDeps, method: string, pathname: string): SimResponse | null {
  const match = RESUME.exec(pathname);
  if (method !== 'POST' || !match) return null;
  const execution = deps.store.get(match[1] ?? '');
  if (!execution) return artuError(404, 'NOT_FOUND', 'Execution not found');
  if (!deps.store.resume(execution)) {
    return artuError(409, 'CONFLICT', `Execution is ${execution.status}, not waiting_for_input`);
  }
  return jsonResponse(200, { id: execution.id, status: execution.status });
}
