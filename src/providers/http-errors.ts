/**
 * Pure helpers that read what a failed request left behind: provider error bodies, Retry-After, and the error codes
 * that prove a request never left this machine. Kept apart from http.ts so they can be tested without sockets.
 */

/** What a provider's error body says, whatever shape it came in. */
export interface ParsedErrorBody {
  message?: string;
  code?: string;
  requestId?: string;
  retryAfterSeconds?: number;
  details?: unknown;
}

const MAX_MESSAGE_CHARS = 300;

/**
 * Reads an error body defensively: Lamina's `{error, code, retryable, requestId, retryAfter, details}`, its older
 * `{error}`, `{error: {message, code}}`, Artu's `{message, code}`, Magnific's `{message, invalid_params?}`, or
 * anything else (plain text, an HTML error page).
 */
export function parseErrorBody(text: string): ParsedErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return nonJsonMessage(trimmed);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return {};
  const body = json as Record<string, unknown>;
  const out: ParsedErrorBody = {};
  const nested = isRecord(body.error) ? body.error : undefined;
  const message = joinMessages(str(body.error), str(nested?.message) ?? messageText(body.message));
  if (message) out.message = clip(message);
  const code = str(body.code) ?? str(nested?.code);
  if (code) out.code = clip(code);
  const requestId = str(body.requestId) ?? str(body.request_id);
  if (requestId) out.requestId = requestId;
  const retryAfter = parseSeconds(body.retryAfter ?? body.retry_after);
  if (retryAfter !== undefined) out.retryAfterSeconds = retryAfter;
  // Freepik's API family (Magnific) lists bad inputs as `invalid_params`.
  const details = body.details ?? body.invalid_params;
  if (details !== undefined) out.details = details;
  return out;
}

/**
 * `{error: "Bad Request", message: "inputs.prompt is required"}` (a framework's reason phrase beside the real text)
 * keeps both; either alone is the message; the same text twice is said once.
 */
function joinMessages(error: string | undefined, message: string | undefined): string | undefined {
  if (error && message && error !== message) return `${error}: ${message}`;
  return error ?? message;
}

/** A message field that is a string, or a list of strings (validation frameworks), as one line. */
function messageText(value: unknown): string | undefined {
  if (Array.isArray(value)) return str(value.filter((v): v is string => typeof v === 'string').join('; '));
  return str(value);
}

/** A short readable message from a non-JSON body: the `<title>` of an HTML page, or the first line of text. */
function nonJsonMessage(text: string): ParsedErrorBody {
  if (text.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return title ? { message: clip(title) } : {};
  }
  return { message: clip(text.replace(/\s+/g, ' ')) };
}

/**
 * Retry-After in whole seconds (rounded up) from a header that holds either delta-seconds or an HTTP-date, or
 * undefined when absent or unreadable. Dates in the past give 0.
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const seconds = parseSeconds(header);
  if (seconds !== undefined) return seconds;
  const at = Date.parse(header.trim());
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function parseSeconds(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n) : undefined;
}

/**
 * Error codes that can only arise before a single byte of the request reached the server: DNS failures, a refused
 * connection, a connect timeout, a TLS handshake or certificate failure, or arguments undici refused locally.
 * Everything else (resets, "other side closed", timeouts after connect) may have reached the server.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_URL',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
]);

/**
 * OpenSSL errors of the handshake: the connection never carried a request. Other TLS errors (a bad record MAC, an
 * alert) can end a kept-alive connection after the request went out on it, so they prove nothing.
 */
const TLS_HANDSHAKE =
  /^ERR_(SSL|TLS)_.*(HANDSHAKE|WRONG_VERSION_NUMBER|UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION|CERT|UNKNOWN_CA|ALTNAME|NO_PROTOCOLS_AVAILABLE)/;

/** True when the failure code proves the request never reached the server (see NOT_SENT_CODES). */
export function failedBeforeSending(code: string | undefined): boolean {
  if (code === undefined) return false;
  return NOT_SENT_CODES.has(code) || TLS_HANDSHAKE.test(code);
}

/**
 * The most telling error code of a failure: its own `code`, else that of its cause or of the first error of an
 * AggregateError (Node's happy-eyeballs connect reports refused IPv4 and IPv6 attempts that way).
 */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (!isRecord(err) || depth > 4) return undefined;
  const own = str(err.code);
  if (own) return own;
  const errors = err.errors;
  if (Array.isArray(errors)) {
    const first: unknown = errors[0];
    const inner = errorCode(first, depth + 1);
    if (inner) return inner;
  }
  return errorCode(err.cause, depth + 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}
