import { jsonResponse } from '../http.js';
import type { RequestContext, SimResponse } from '../http.js';
import { validateInputs } from './apps.js';
import { findApp, statusView } from './context.js';
import type { LaminaDeps } from './context.js';
import { laminaError } from './errors.js';
import { planRun } from './run-plan.js';
import { startedRun } from './status.js';

type Parsed<T> = { ok: true; value: T } | { ok: false; response: SimResponse };

function parseWebhook(ctx: RequestContext): Parsed<string | null> {
  const webhook = ctx.url.searchParams.get('webhook');
  if (webhook === null) return { ok: true, value: null };
  try {
    const url = new URL(webhook);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { ok: true, value: url.toString() };
  } catch {
    // reported below
  }
  return {
    ok: false,
    response: laminaError(400, 'WEBHOOK_INVALID_URL', 'webhook must be an http(s) URL', ctx.requestId),
  };
}

async function parseInputs(ctx: RequestContext): Promise<Parsed<Record<string, unknown>>> {
  const bad = (message: string): Parsed<never> => ({
    ok: false,
    response: laminaError(400, 'VALIDATION_ERROR', message, ctx.requestId),
  });
  let body: unknown;
  try {
    body = JSON.parse((await ctx.readBody()).toString('utf8'));
  } catch {
    return bad('Request body must be valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('Request body must be an object');
  const inputs = (body as Record<string, unknown>)['inputs'];
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) return bad('inputs must be an object');
  return { ok: true, value: inputs as Record<string, unknown> };
}

/**
 * POST /v1/apps/{appId}/runs[?webhook=url]: validates the inputs like Lamina (unknown names, missing required,
 * options, URLs), then creates and counts the run and answers 202 with its pending outputs.
 */
export async function startRun(deps: LaminaDeps, ctx: RequestContext): Promise<SimResponse> {
  const app = findApp(deps, ctx.params[0] ?? '');
  if (!app) return laminaError(404, 'NOT_FOUND', 'App not found', ctx.requestId);
  const webhook = parseWebhook(ctx);
  if (!webhook.ok) return webhook.response;
  const inputs = await parseInputs(ctx);
  if (!inputs.ok) return inputs.response;
  const problems = validateInputs(app, inputs.value);
  if (problems.length > 0) {
    return laminaError(400, 'VALIDATION_ERROR', 'Invalid inputs', ctx.requestId, problems);
  }
  const plan = planRun(app, inputs.value, deps.settings(), deps.random);
  const run = deps.store.create(app, inputs.value, plan, webhook.value);
  return jsonResponse(202, { data: startedRun(run, statusView(deps)) });
}
