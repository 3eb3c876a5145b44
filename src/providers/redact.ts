/**
 * Keeping credentials out of errors and logs: the one redaction of the code base. Provider messages, error details,
 * low-level causes, activity failure messages and worker log lines pass through here, because they end up in
 * Temporal histories, logs and results files.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/** Shapes that look like a credential even when we do not know the exact value (Lamina keys, bearer tokens). */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\blma_[A-Za-z0-9_-]+/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
];

/** Header names whose values are credentials; their values are redacted from everything an error carries. */
const SECRET_HEADER = /key|auth|token|secret|cookie|signature/i;

/**
 * Replaces every occurrence of each given secret (however short; empty ones are ignored; the longest first, so a
 * secret that contains another goes whole), and anything shaped like a Lamina key or a bearer or basic token, with
 * `[redacted]`. Use it on any text that came from a provider, a socket or an error before it goes into an error, a
 * failure or a log.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  const sorted = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** `redactSecrets` applied to every string (keys included) of a JSON-like value. */
export function redactDeep(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redactSecrets(k, secrets)] = redactDeep(v, secrets, depth + 1);
  return out;
}

/** The values of request headers that carry credentials (x-api-key, authorization, …). */
export function secretHeaderValues(headers: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) continue;
    out.push(value);
    // "Bearer <token>": the token alone must go too.
    const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (token) out.push(token);
  }
  return out;
}

/**
 * A low-level error made safe to attach as `cause`: returned unchanged when nothing it carries (message, stack, own
 * fields, nested causes) holds a secret, else replaced by a plain Error with the same name, code and a redacted
 * message (the nested causes are dropped then).
 */
export function sanitizeCause(err: unknown, secrets: readonly string[]): unknown {
  if (typeof err === 'string') return redactSecrets(err, secrets);
  if (!(err instanceof Error)) {
    const json = safeJson(err);
    return redactSecrets(json, secrets) === json ? err : redactDeep(err, secrets);
  }
  const text = errorText(err, 0);
  if (redactSecrets(text, secrets) === text) return err;
  const safe = new Error(redactSecrets(err.message, secrets));
  safe.name = err.name;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(safe, { code });
  safe.stack = `${safe.name}: ${safe.message}`;
  return safe;
}

function errorText(err: unknown, depth: number): string {
  if (!(err instanceof Error)) return typeof err === 'string' ? err : safeJson(err);
  const nested = depth < 4 && err.cause !== undefined ? errorText(err.cause, depth + 1) : '';
  return `${err.message}\n${err.stack ?? ''}\n${safeJson(err)}\n${nested}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
