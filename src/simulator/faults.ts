import { jsonResponse } from './http.js';
import type { ErrorBodyFormat, InjectedError, SimResponse } from './http.js';
import { chance } from './prng.js';
import type { Random } from './prng.js';
import type { EndpointName, FaultRule } from './types.js';

/** Endpoints that start (and bill) a run: the only ones 'drop-after-accept' applies to. */
export const RUN_START_ENDPOINTS: ReadonlySet<EndpointName> = new Set<EndpointName>([
  'lamina.start',
  'artu.trigger',
  'magnific.run',
]);

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

/** Lamina's error body: `{error, code, retryable, requestId, retryAfter?}`. */
export const laminaErrorBody: ErrorBodyFormat = ({ code, message, requestId, retryAfterSeconds }) => {
  const body: Record<string, unknown> = { error: message, code, retryable: true, requestId };
  if (retryAfterSeconds !== undefined) body['retryAfter'] = retryAfterSeconds;
  return body;
};

function errorJson(status: number, error: InjectedError, format: ErrorBodyFormat): SimResponse {
  const seconds = error.retryAfterSeconds;
  if (seconds === undefined) return jsonResponse(status, format(error));
  return jsonResponse(status, format(error), { 'retry-after': String(seconds) });
}

/**
 * The answer for faults that replace the response outright (429, 500, 502, 503, html, schema), in the route's error shape
 * (Lamina's by default); 429 always and 503 when configured carry Retry-After.
 * Returns null for the kinds the server handles around the normal handler (slow, reset, drop-after-accept,
 * truncated).
 */
export function replacementResponse(
  rule: FaultRule,
  requestId: string,
  format: ErrorBodyFormat = laminaErrorBody,
): SimResponse | null {
  switch (rule.kind) {
    case '429': {
      const retryAfterSeconds = rule.retryAfterSeconds ?? 1;
      return errorJson(
        429,
        { code: 'RATE_LIMITED', message: 'Too many requests', requestId, retryAfterSeconds },
        format,
      );
    }
    case '500':
      return errorJson(500, { code: 'INTERNAL_ERROR', message: 'Internal server error', requestId }, format);
    case '502':
      return errorJson(502, { code: 'INTERNAL_ERROR', message: 'Bad gateway', requestId }, format);
    case '503': {
      const error: InjectedError = {
        code: 'RESOURCE_UNAVAILABLE',
        message: 'Service temporarily unavailable',
        requestId,
      };
      if (rule.retryAfterSeconds !== undefined) error.retryAfterSeconds = rule.retryAfterSeconds;
      return errorJson(503, error, format);
    }
    case 'html':
      return {
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><h1>Checking your browser</h1></body></html>',
      };
    case 'schema':
      // Well-formed JSON that no endpoint answers: an envelope without the fields the contract promises.
      return {
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ data: { id: 17, state: 'ok', result: null }, requestId }),
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
