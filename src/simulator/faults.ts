import { jsonResponse } from './http.js';
import type { SimResponse } from './http.js';
import { chance } from './prng.js';
import type { Random } from './prng.js';
import type { EndpointName, FaultRule } from './types.js';

/** Endpoints that start (and bill) a run: the only ones 'drop-after-accept' applies to. */
export const RUN_START_ENDPOINTS: ReadonlySet<EndpointName> = new Set<EndpointName>(['lamina.start']);

/**
 * Chooses the fault for each request from an ordered list of rules. A chosen rule is reserved at once (so `count`
 * holds under concurrency); a fault that ends up not applied (a dropped start that was not accepted) is released.
 */
export class FaultInjector {
  private rules: { rule: FaultRule; fired: number }[] = [];

  constructor(private readonly random: Random) {}

  /** Replaces the rules and forgets how often the old ones fired. */
  setRules(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, fired: 0 }));
  }

  /** The first rule that matches `endpoint` and fires, reserved; null when the request goes through untouched. */
  pick(endpoint: EndpointName): FaultRule | null {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.endpoints && !rule.endpoints.includes(endpoint)) continue;
      if (rule.kind === 'drop-after-accept' && !RUN_START_ENDPOINTS.has(endpoint)) continue;
      if (rule.count !== undefined && entry.fired >= rule.count) continue;
      if (!chance(this.random, rule.rate)) continue;
      entry.fired += 1;
      return rule;
    }
    return null;
  }

  /** Gives back a reservation made by pick() for a fault that was not applied after all. */
  release(rule: FaultRule): void {
    const entry = this.rules.find((e) => e.rule === rule);
    if (entry && entry.fired > 0) entry.fired -= 1;
  }
}

function errorJson(
  status: number,
  code: string,
  message: string,
  requestId: string,
  retryAfterSeconds?: number,
): SimResponse {
  const body: Record<string, unknown> = { error: message, code, retryable: true, requestId };
  if (retryAfterSeconds === undefined) return jsonResponse(status, body);
  body['retryAfter'] = retryAfterSeconds;
  return jsonResponse(status, body, { 'retry-after': String(retryAfterSeconds) });
}

/**
 * The answer for faults that replace the response outright (429, 500, 502, 503, html), in Lamina's error shape.
 * Returns null for the kinds the server handles around the normal handler (slow, reset, drop-after-accept,
 * truncated).
 */
export function replacementResponse(rule: FaultRule, requestId: string): SimResponse | null {
  switch (rule.kind) {
    case '429':
      return errorJson(429, 'RATE_LIMITED', 'Too many requests', requestId, rule.retryAfterSeconds ?? 1);
    case '500':
      return errorJson(500, 'INTERNAL_ERROR', 'Internal server error', requestId);
    case '502':
      return errorJson(502, 'INTERNAL_ERROR', 'Bad gateway', requestId);
    case '503':
      return errorJson(
        503,
        'RESOURCE_UNAVAILABLE',
        'Service temporarily unavailable',
        requestId,
        rule.retryAfterSeconds,
      );
    case 'html':
      return {
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><h1>Checking your browser</h1></body></html>',
      };
    default:
      return null;
  }
}

/** The normal response cut in half: a 200 application/json whose body is not valid JSON. */
export function truncateResponse(response: SimResponse): SimResponse {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  const cut = body.length > 1 ? body.subarray(0, Math.floor(body.length / 2)) : Buffer.from('{"data":', 'utf8');
  return { status: 200, contentType: 'application/json; charset=utf-8', body: cut };
}
