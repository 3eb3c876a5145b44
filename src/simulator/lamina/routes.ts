import { jsonResponse } from '../http.js';
import type { Route } from '../http.js';
import { serializeApp } from './apps.js';
import { authedRoute, findApp } from './context.js';
import type { LaminaDeps } from './context.js';
import { laminaError } from './errors.js';
import { cancelRun, getRun, listRuns, waitRun } from './read-routes.js';
import { startRun } from './start.js';
import { streamRun } from './stream.js';

const ID = '([^/]+)';
/** Lamina's paths, also served under /lamina so that a base URL with a path prefix can be tested. */
const path = (rest: string): RegExp => new RegExp(`^(?:/lamina)?/v1/${rest}$`);

/**
 * Lamina's API (providers.md): apps, run start, get, wait, list, cancel, the SSE stream and the webhook signing
 * key, every route
 * behind the API-key check, every success wrapped in `{"data": …}` (except the signing key, as Lamina does).
 */
export function laminaRoutes(deps: LaminaDeps): Route[] {
  return [
    authedRoute(deps, 'GET', path(`apps/${ID}`), 'lamina.app', (ctx) => {
      const app = findApp(deps, ctx.params[0] ?? '');
      if (!app) return laminaError(404, 'NOT_FOUND', 'App not found', ctx.requestId);
      return jsonResponse(200, { data: serializeApp(app) });
    }),
    authedRoute(deps, 'POST', path(`apps/${ID}/runs`), 'lamina.start', (ctx) => startRun(deps, ctx)),
    authedRoute(deps, 'GET', path('runs'), 'lamina.list', (ctx) => listRuns(deps, ctx)),
    authedRoute(deps, 'GET', path(`runs/${ID}/wait`), 'lamina.wait', (ctx) => waitRun(deps, ctx)),
    authedRoute(deps, 'POST', path(`runs/${ID}/cancel`), 'lamina.cancel', (ctx) => cancelRun(deps, ctx)),
    authedRoute(deps, 'GET', path(`runs/${ID}/stream`), 'lamina.stream', (ctx) => streamRun(deps, ctx)),
    authedRoute(deps, 'GET', path(`runs/${ID}`), 'lamina.get', (ctx) => getRun(deps, ctx)),
    authedRoute(deps, 'GET', path('webhooks/signing-key'), 'lamina.signingKey', () =>
      jsonResponse(200, { keys: [deps.webhookKeys.jwk] }),
    ),
  ];
}
