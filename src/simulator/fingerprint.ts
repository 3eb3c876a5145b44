import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values always serialize to equal strings. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Identifies "the same paid request": sha256 of the canonical JSON of {provider, appId, inputs}, first 16 hex
 * characters. The simulator counts created runs per fingerprint; tests compute the same key from a manifest row
 * to prove that each row was submitted exactly once.
 */
export function inputFingerprint(provider: string, appId: string, inputs: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson({ provider, appId, inputs })).digest('hex').slice(0, 16);
}
