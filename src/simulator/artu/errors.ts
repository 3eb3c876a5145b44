import type { IncomingHttpHeaders } from 'node:http';
import { jsonResponse } from '../http.js';
import type { ErrorBodyFormat, SimResponse } from '../http.js';

/** Artu's error codes that the simulator answers with (not documented by Artu: providers.md's assumption). */
export type ArtuErrorCode = 'UNAUTHORIZED' | 'INVALID_ENVIRONMENT' | 'NOT_FOUND' | 'VALIDATION_ERROR' | 'CONFLICT';

/** The environment every Artu request names in X-Environment. */
export type ArtuEnvironment = 'test' | 'live';

/** An Artu error: JSON `{message, code, details?}`. */
export function artuError(status: number, code: ArtuErrorCode, message: string, details?: unknown): SimResponse {
  const body: Record<string, unknown> = { message, code };
  if (details !== undefined) body['details'] = details;
  return jsonResponse(status, body);
}

/** Injected faults in Artu's shape; 429 carries Retry-After as a header only. */
export const artuErrorBody: ErrorBodyFormat = ({ code, message }) => ({ message, code });

function bearerKey(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  const bearer = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return bearer?.[1] ?? null;
}

/**
 * Checks `Authorization: Bearer <key>` (with `apiKey` set only that key, otherwise any key starting `artu_`),
 * then `X-Environment: test|live`. Returns the request's environment, or the 401/400 to send. Never echoes the
 * key.
 */
export function checkArtuAuth(headers: IncomingHttpHeaders, apiKey: string | undefined): ArtuEnvironment | SimResponse {
  const key = bearerKey(headers);
  if (key === null) return artuError(401, 'UNAUTHORIZED', 'Missing API key: send Authorization: Bearer <key>');
  const ok = apiKey === undefined ? key.startsWith('artu_') && key.length > 5 : key === apiKey;
  if (!ok) return artuError(401, 'UNAUTHORIZED', 'Invalid API key');
  const environment = headers['x-environment'];
  if (environment === 'test' || environment === 'live') return environment;
  const message =
    environment === undefined
      ? 'Missing X-Environment header: must be "test" or "live"'
      : 'Invalid X-Environment header: must be "test" or "live"';
  return artuError(400, 'INVALID_ENVIRONMENT', message);
}
