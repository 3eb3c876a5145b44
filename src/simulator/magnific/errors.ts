import type { IncomingHttpHeaders } from 'node:http';
import { jsonResponse } from '../http.js';
import type { ErrorBodyFormat, SimResponse } from '../http.js';

/** A Magnific (Freepik API family) error: JSON `{message}`. */
export function magnificError(status: number, message: string): SimResponse {
  return jsonResponse(status, { message });
}

/** Injected faults in Magnific's shape; 429 carries Retry-After as a header. */
export const magnificErrorBody: ErrorBodyFormat = ({ message }) => ({ message });

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * Checks `x-magnific-api-key` (or the older `x-freepik-api-key`): with `apiKey` set only that key passes,
 * otherwise any key that starts with `mgn_`. Returns the 401 to send, or null. Never echoes the key.
 */
export function checkMagnificAuth(headers: IncomingHttpHeaders, apiKey: string | undefined): SimResponse | null {
  const key = headerValue(headers, 'x-magnific-api-key') ?? headerValue(headers, 'x-freepik-api-key');
  const ok = key !== null && (apiKey === undefined ? key.startsWith('mgn_') && key.length > 4 : key === apiKey);
  return ok ? null : magnificError(401, 'Invalid API key');
}
