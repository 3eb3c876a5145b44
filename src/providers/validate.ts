import type { z } from 'zod';
import { ProviderProtocolError } from './errors.js';
import type { ProviderErrorContext } from './errors.js';
import { redactSecrets } from './redact.js';

/**
 * Checks a provider's answer against its zod schema. Unknown fields pass (schemas are not strict); a missing or
 * wrong-typed required field becomes a ProviderProtocolError that names the provider, the endpoint and the field,
 * so a contract change at the provider reads as such instead of as a crash deep in the mapping.
 */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  body: unknown,
  ctx: ProviderErrorContext,
  secrets: readonly string[] = [],
): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ProviderProtocolError({ ...ctx, problem: 'unreadable body', cause: result.error });
  throw new ProviderProtocolError({ ...ctx, problem: describeIssue(issue, body, secrets) });
}

/** The protocol error for a rule a schema cannot express (for example a field required only in some states). */
export function protocolError(ctx: ProviderErrorContext, field: string, problem: string): ProviderProtocolError {
  return new ProviderProtocolError({ ...ctx, problem: `field ${field} ${problem}` });
}

function describeIssue(issue: z.core.$ZodIssue, body: unknown, secrets: readonly string[]): string {
  const field = issue.path.length === 0 ? 'body' : `field ${issue.path.map(String).join('.')}`;
  const received = valueAt(body, issue.path);
  if (received === undefined) return `${field} is missing`;
  const shown = typeof received === 'string' ? ` (got "${redactSecrets(received.slice(0, 60), secrets)}")` : '';
  return `${field} is invalid: ${issue.message}${shown}`;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let cur = body;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
