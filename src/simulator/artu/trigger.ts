import { jsonResponse } from '../http.js';
import type { RequestContext, SimResponse } from '../http.js';
import type { ArtuDeps } from './context.js';
import { artuView, findWorkflow } from './context.js';
import type { ArtuEnvironment } from './errors.js';
import { artuError } from './errors.js';
import { planExecution } from './executions.js';
import type { ArtuTrigger } from './executions.js';
import { triggerJson } from './serialize.js';
import { missingInputs, unknownInputs } from './workflows.js';

type Parsed<T> = { ok: true; value: T } | { ok: false; response: SimResponse };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(body: Record<string, unknown>, field: string): Parsed<string | null> {
  const value = body[field];
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value === 'string') return { ok: true, value };
  return { ok: false, response: artuError(400, 'VALIDATION_ERROR', `${field} must be a string`) };
}

/** Parses `{triggerType, inputs?, entityType?, entityId?, payload?}`. */
async function parseTrigger(ctx: RequestContext): Promise<Parsed<ArtuTrigger>> {
  const bad = (message: string): Parsed<never> => ({
    ok: false,
    response: artuError(400, 'VALIDATION_ERROR', message),
  });
  let body: unknown;
  try {
    body = JSON.parse((await ctx.readBody()).toString('utf8'));
  } catch {
    return bad('Request body must be valid JSON');
  }
  if (!isObject(body)) return bad('Request body must be an object');
  const { triggerType, inputs = {}, payload } = body;
  if (typeof triggerType !== 'string' || triggerType === '') return bad('triggerType is required');
  if (!isObject(inputs)) return bad('inputs must be an object');
  const entityType = optionalString(body, 'entityType');
  if (!entityType.ok) return entityType;
  const entityId = optionalString(body, 'entityId');
  if (!entityId.ok) return entityId;
  const trigger: ArtuTrigger = { triggerType, entityType: entityType.value, entityId: entityId.value, inputs };
  if (payload !== undefined) trigger.payload = payload;
  return { ok: true, value: trigger };
}

/**
 * POST /workflows/{workflowId}/trigger: checks the workflow and its required inputs, creates and counts the
 * execution and answers 200 'queued' at once, or, with `[sim:sync]`, once the execution has ended or paused for
 * input (outputs included when it completed). Undeclared inputs are accepted and listed in `warnings`.
 */
export async function triggerWorkflow(
  deps: ArtuDeps,
  ctx: RequestContext,
  environment: ArtuEnvironment,
): Promise<SimResponse> {
  const workflow = findWorkflow(deps, ctx.params[0] ?? '');
  if (!workflow) return artuError(404, 'NOT_FOUND', 'Workflow not found');
  const parsed = await parseTrigger(ctx);
  if (!parsed.ok) return parsed.response;
  const trigger = parsed.value;
  const missing = missingInputs(workflow, trigger.inputs);
  const first = missing[0];
  if (first) return artuError(400, 'VALIDATION_ERROR', `Missing required input "${first.field}"`, missing);
  const plan = planExecution(trigger.inputs, deps.settings(), deps.random);
  const execution = deps.store.create(workflow.id, environment, trigger, plan, unknownInputs(workflow, trigger.inputs));
  if (plan.sync) {
    // Returns early only when the client goes away or the simulator closes; the execution runs on regardless.
    await deps.store.waitUntil(execution, (e) => e.status !== 'running', plan.durationMs + 1000, ctx.signal);
  }
  return jsonResponse(200, triggerJson(execution, artuView(deps)));
}
