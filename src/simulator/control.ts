import { ZodError } from 'zod';
import { jsonResponse } from './http.js';
import type { SimResponse } from './http.js';
import type { SimulatorCounters } from './types.js';

/** What the control endpoints act on. */
export interface ControlTarget {
  counters(): SimulatorCounters;
  /** Validates and applies a patch; throws ZodError on bad input. */
  configure(patch: unknown): void;
  resetCounters(): void;
  /** A provider's own control endpoint (e.g. resume an Artu execution); null when no provider has `path`. */
  providerControl?(method: string, path: string): SimResponse | null;
}

/** True for the control endpoints (never counted, never faulted). Assets live under /_sim/ but are not control. */
export function isControlPath(path: string): boolean {
  return path.startsWith('/_sim/') && !path.startsWith('/_sim/assets/');
}

function configure(target: ControlTarget, body: Buffer): SimResponse {
  let patch: unknown;
  try {
    patch = JSON.parse(body.toString('utf8'));
  } catch {
    return jsonResponse(400, { error: 'Body must be valid JSON', code: 'VALIDATION_ERROR' });
  }
  try {
    target.configure(patch);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return jsonResponse(400, { error: 'Invalid simulator configuration', code: 'VALIDATION_ERROR', details });
  }
  return jsonResponse(200, { ok: true });
}

/**
 * The simulator's own endpoints: GET /_sim/health, GET /_sim/counters, POST /_sim/config (body = a configure
 * patch, 400 when invalid) and POST /_sim/reset-counters, then the providers' own (POST
 * /_sim/artu/executions/{id}/resume, POST /_sim/magnific/runs/{id}/cancel).
 */
export async function handleControl(
  target: ControlTarget,
  method: string,
  path: string,
  readBody: () => Promise<Buffer>,
): Promise<SimResponse> {
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /_sim/health':
      return jsonResponse(200, { ok: true, providers: ['lamina', 'artu', 'magnific'] });
    case 'GET /_sim/counters':
      return jsonResponse(200, target.counters());
    case 'POST /_sim/config':
      return configure(target, await readBody());
    case 'POST /_sim/reset-counters':
      target.resetCounters();
      return jsonResponse(200, { ok: true });
    default:
      return (
        target.providerControl?.(method, path) ??
        jsonResponse(404, { error: `No control endpoint ${route}`, code: 'NOT_FOUND' })
      );
  }
}
