import { jsonResponse } from '../http.js';
import type { RequestContext, SimResponse } from '../http.js';
import { artuView } from './context.js';
import type { ArtuDeps } from './context.js';
import { artuError } from './errors.js';
import type { ArtuEnvironment } from './errors.js';
import type { ArtuExecution } from './executions.js';
import { executionJson } from './serialize.js';

/** Filter of POST /workflows/executions/list; createdAt bounds are unix ms. */
interface ListQuery {
  workflowId?: string;
  triggerType?: string;
  entityId?: string;
  createdAt: { gte?: number; gt?: number; lte?: number; lt?: number };
  /** Position (createdAt, seq) of the last execution of the previous page. */
  after?: [number, number];
  limit: number;
}

const BOUNDS = ['gte', 'gt', 'lte', 'lt'] as const;
const STRING_FIELDS = ['workflowId', 'triggerType', 'entityId'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An opaque cursor: base64url of the last item's `createdAt:seq`. */
function encodeCursor(execution: ArtuExecution): string {
  return Buffer.from(`${execution.createdAt}:${execution.seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [number, number] | null {
  const match = /^(\d{1,15}):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? [Number(match[1]), Number(match[2])] : null;
}

function parseFilter(filter: unknown, query: ListQuery): string | null {
  if (filter === undefined || filter === null) return null;
  if (!isObject(filter)) return 'filter must be an object';
  for (const field of STRING_FIELDS) {
    const value = filter[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return `filter.${field} must be a string`;
    query[field] = value;
  }
  const createdAt = filter['createdAt'];
  if (createdAt === undefined || createdAt === null) return null;
  if (!isObject(createdAt)) return 'filter.createdAt must be an object such as {"gte": "<ISO 8601>"}';
  for (const bound of BOUNDS) {
    const value = createdAt[bound];
    if (value === undefined) continue;
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(ms)) return `filter.createdAt.${bound} must be an ISO 8601 timestamp`;
    query.createdAt[bound] = ms;
  }
  return null;
}

function parseQuery(body: unknown): ListQuery | string {
  if (!isObject(body)) return 'Request body must be an object';
  const query: ListQuery = { createdAt: {}, limit: 20 };
  const problem = parseFilter(body['filter'], query);
  if (problem) return problem;
  const { cursor, limit } = body;
  if (limit !== undefined && limit !== null) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
      return 'limit must be an integer from 1 to 100';
    }
    query.limit = limit;
  }
  if (cursor !== undefined && cursor !== null) {
    const after = typeof cursor === 'string' ? decodeCursor(cursor) : null;
    if (!after) return 'cursor is not valid';
    query.after = after;
  }
  return query;
}

function matches(e: ArtuExecution, q: ListQuery): boolean {
  const { gte, gt, lte, lt } = q.createdAt;
  return (
    (q.workflowId === undefined || e.workflowId === q.workflowId) &&
    (q.triggerType === undefined || e.trigger.triggerType === q.triggerType) &&
    (q.entityId === undefined || e.trigger.entityId === q.entityId) &&
    (gte === undefined || e.createdAt >= gte) &&
    (gt === undefined || e.createdAt > gt) &&
    (lte === undefined || e.createdAt <= lte) &&
    (lt === undefined || e.createdAt < lt)
  );
}

function isAfter(e: ArtuExecution, [createdAt, seq]: [number, number]): boolean {
  return e.createdAt > createdAt || (e.createdAt === createdAt && e.seq > seq);
}

/**
 * POST /workflows/executions/list with `{filter?{workflowId, triggerType, entityId, createdAt{gte,gt,lte,lt}},
 * cursor?, limit?≤100}`: the request's environment only, ascending by createdAt, `{data, pagination{hasMore,
 * nextCursor, totalCount}}` where totalCount counts every match of the filter.
 */
export async function listExecutions(
  deps: ArtuDeps,
  ctx: RequestContext,
  environment: ArtuEnvironment,
): Promise<SimResponse> {
  const raw = (await ctx.readBody()).toString('utf8').trim();
  let body: unknown = {};
  try {
    if (raw !== '') body = JSON.parse(raw);
  } catch {
    return artuError(400, 'VALIDATION_ERROR', 'Request body must be valid JSON');
  }
  const query = parseQuery(body);
  if (typeof query === 'string') return artuError(400, 'VALIDATION_ERROR', query);
  const all = deps.store
    .all()
    .filter((e) => e.environment === environment && matches(e, query))
    .sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
  const after = query.after;
  const rest = after ? all.filter((e) => isAfter(e, after)) : all;
  const page = rest.slice(0, query.limit);
  const last = page[page.length - 1];
  const hasMore = rest.length > page.length;
  const view = artuView(deps);
  return jsonResponse(200, {
    data: page.map((e) => executionJson(e, view)),
    pagination: { hasMore, nextCursor: hasMore && last ? encodeCursor(last) : null, totalCount: all.length },
  });
}
