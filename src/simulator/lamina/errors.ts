import type { IncomingHttpHeaders } from 'node:http';
import { jsonResponse } from '../http.js';
import type { SimResponse } from '../http.js';

/** Lamina's error codes that the simulator answers with. */
export type LaminaErrorCode =
  'AUTH_MISSING_KEY' | 'AUTH_INVALID_KEY' | 'NOT_FOUND' | 'VALIDATION_ERROR' | 'WEBHOOK_INVALID_URL' | 'INTERNAL_ERROR';

const RETRYABLE: ReadonlySet<LaminaErrorCode> = new Set(['INTERNAL_ERROR']);

/** A Lamina error body: `{error, code, retryable, requestId, details?}`. */
export function laminaError(
  status: number,
  code: LaminaErrorCode,
  message: string,
  requestId: string,
  details?: unknown,
): SimResponse {
  const body: Record<string, unknown> = { error: message, code, retryable: RETRYABLE.has(code), requestId };
  if (details !== undefined) body['details'] = details;
  return jsonResponse(status, body);
}

function presentedKey(headers: IncomingHttpHeaders): string | null {
  const direct = headers['x-api-key'];
  if (typeof direct === 'string' && direct.trim() !== '') return direct.trim();
  const auth = headers.authorization;
  const bearer = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return bearer?.[1] ?? null;
}

/**
 * Checks the API key (`x-api-key` or `Authorization: Bearer`). With `apiKey` set only that key passes, otherwise
 * any key that starts with `lma_`. Returns the 401 to send, or null when the key is good. Never echoes the key.
 */
export function checkLaminaAuth(
  headers: IncomingHttpHeaders,
  apiKey: string | undefined,
  requestId: string,
): SimResponse | null {
  const key = presentedKey(headers);
  if (key === null) return laminaError(401, 'AUTH_MISSING_KEY', 'Missing API key', requestId);
  const ok = apiKey === undefined ? key.startsWith('lma_') && key.length > 4 : key === apiKey;
  return ok ? null : laminaError(401, 'AUTH_INVALID_KEY', 'Invalid API key', requestId);
}
