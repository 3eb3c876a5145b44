import type { AssetSigner } from '../assets.js';
import type { SimulatorSettings } from '../config.js';
import { jsonResponse } from '../http.js';
import type { RequestContext, Route, SimResponse } from '../http.js';
import type { Random } from '../prng.js';
import type { EndpointName, MagnificAppDefinition } from '../types.js';
import { inputProblem, serializeApp } from './apps.js';
import { checkMagnificAuth, magnificError, magnificErrorBody } from './errors.js';
import { planMagnificRun } from './runs.js';
import type { MagnificRunStore } from './runs.js';
import { runJson } from './serialize.js';
import type { MagnificView } from './serialize.js';

/** What the Magnific routes share: settings, the run store, the PRNG and the asset signer. */
export interface MagnificDeps {
  settings(): SimulatorSettings;
  store: MagnificRunStore;
  random: Random;
  signer: AssetSigner;
}

const ID = '([^/]+)';
/** Magnific's paths, also served under /magnific so that a base URL with a path prefix can be tested. */
const path = (rest: string): RegExp => new RegExp(`^(?:/magnific)?/v1/ai/apps/${rest}$`);

function findApp(deps: MagnificDeps, appId: string): MagnificAppDefinition | undefined {
  return deps.settings().magnific.apps.find((app) => app.sqid === appId);
}

function view(deps: MagnificDeps): MagnificView {
  return { signer: deps.signer, assetTtlMs: deps.settings().magnific.assetTtlMs };
}

function route(
  deps: MagnificDeps,
  method: Route['method'],
  pattern: RegExp,
  endpoint: EndpointName,
  handle: (ctx: RequestContext) => Promise<SimResponse> | SimResponse,
): Route {
  return {
    method,
    pattern,
    endpoint,
    errorBody: magnificErrorBody,
    handle: (ctx) => checkMagnificAuth(ctx.headers, deps.settings().magnific.apiKey) ?? handle(ctx),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The webhook URL, null when absent, undefined when it is not an http(s) URL. */
function webhookUrl(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POST /v1/ai/apps/{appId}/run: inputs keyed by input id only (a key or label is a 400 naming the id it should
 * have been), required inputs present; creates and counts the run and answers 202, unwrapped. The webhook URL
 * must be http(s); the run's events are posted to it (magnific/webhooks.ts).
 */
async function startRun(deps: MagnificDeps, ctx: RequestContext): Promise<SimResponse> {
  const app = findApp(deps, ctx.params[0] ?? '');
  if (!app) return magnificError(404, 'App not found');
  let body: unknown;
  try {
    body = JSON.parse((await ctx.readBody()).toString('utf8'));
  } catch {
    return magnificError(400, 'Request body must be valid JSON');
  }
  if (!isObject(body) || !isObject(body['inputs'])) return magnificError(400, 'inputs must be an object');
  const inputs = body['inputs'];
  const webhook = webhookUrl(body['webhook']);
  if (webhook === undefined) return magnificError(400, 'webhook must be an http(s) URL');
  const problem = inputProblem(app, inputs);
  if (problem) return magnificError(400, problem);
  const run = deps.store.create(app, inputs, planMagnificRun(app, inputs, deps.settings(), deps.random), webhook);
  return jsonResponse(202, { status: 'running', workflow_run_identifier: run.runId });
}

/**
 * Magnific's API (providers.md): app definition, run start and run status, behind the API-key check. There is
 * no wait, stream, list or cancel endpoint, as at Magnific.
 */
export function magnificRoutes(deps: MagnificDeps): Route[] {
  return [
    route(deps, 'GET', path(`runs/${ID}`), 'magnific.status', (ctx) => {
      const run = deps.store.get(ctx.params[0] ?? '');
      return run ? jsonResponse(200, { data: runJson(run, view(deps)) }) : magnificError(404, 'Run not found');
    }),
    route(deps, 'POST', path(`${ID}/run`), 'magnific.run', (ctx) => startRun(deps, ctx)),
    route(deps, 'GET', path(ID), 'magnific.app', (ctx) => {
      const app = findApp(deps, ctx.params[0] ?? '');
      return app ? jsonResponse(200, { data: serializeApp(app) }) : magnificError(404, 'App not found');
    }),
  ];
}

const CANCEL = /^\/_sim\/magnific\/runs\/([^/]+)\/cancel$/;

/**
 * Control endpoint POST /_sim/magnific/runs/{runId}/cancel (Magnific's API cannot cancel; its dashboard can):
 * `{run_id, status}`, idempotent on terminal runs, 404 unknown. Returns null for any other path.
 */
export function magnificControl(deps: MagnificDeps, method: string, pathname: string): SimResponse | null {
  const match = CANCEL.exec(pathname);
  if (method !== 'POST' || !match) return null;
  const run = deps.store.get(match[1] ?? '');
  if (!run) return magnificError(404, 'Run not found');
  deps.store.cancel(run);
  return jsonResponse(200, { run_id: run.runId, status: run.status });
}
