import { createHash } from 'node:crypto';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { isPrivateAddress, mayBePrivate, PRIVATE_ADDRESS_CODE, type PrivateHosts } from './asset-address.js';
import { assetAgent } from './asset-agent.js';
import { AssetError, describeAssetUrl } from './errors.js';
import { errorCode } from './http-errors.js';
import { headerValue } from './http.js';
import { sanitizeCause } from './redact.js';

export { closeAssetAgents, privateHostsFrom } from './asset-agent.js';

/**
 * Where a download's bytes go: a stream whose content becomes visible whole on `commit()`, or not at all (a batch
 * storage writer: a part file renamed into place, or a multipart upload).
 */
export interface DownloadSink {
  readonly stream: Writable;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** One download: the URL, where to put it, the size cap and our cancellation signal. */
export interface DownloadOptions {
  url: string;
  /** Opens the destination once the response is known to be wanted (so a refused download creates nothing). */
  sink: () => Promise<DownloadSink>;
  maxBytes: number;
  signal?: AbortSignal | undefined;
  /** Host names the URL (and every redirect) may point at; `*.example.com` allows subdomains. Any host if absent. */
  allowedHosts?: readonly string[];
  /**
   * Hosts that may be, or resolve to, a loopback, private or link-local address ('any': all of them). Every other
   * host must resolve to public addresses only. Default: none. The check on resolved names happens in the
   * connection (see asset-address.ts), so it applies only with the default dispatcher; literal IPs are always checked.
   */
  privateHosts?: PrivateHosts;
  /** Undici headers timeout and body inactivity timeout. Default 60 s. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** What was written to the sink. */
export interface DownloadResult {
  bytes: number;
  /** Lower-case hex SHA-256 of the bytes written. */
  sha256: string;
  contentType: string | null;
}

/** Redirects followed per download; each hop must stay on http(s) and within `allowedHosts`. */
export const MAX_ASSET_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
const EXPIRED_STATUSES = new Set([401, 403, 410]);

/**
 * Downloads one output at once (provider URLs are signed and short-lived), streamed into the sink while hashing and
 * committed only when whole and within the size cap, so the destination only ever holds a complete file and a retry
 * simply starts over. Failures are AssetErrors whose messages never show the URL's query string (the signature).
 */
export async function download(opts: DownloadOptions): Promise<DownloadResult> {
  let url = checkUrl(opts.url, opts);
  for (let hop = 0; ; hop++) {
    const res = await send(url, opts);
    if (REDIRECT_STATUSES.has(res.statusCode)) {
      await res.body.dump().catch(() => undefined);
      const location = headerValue(res.headers, 'location');
      const shown = describeAssetUrl(url.href);
      if (!location) throw fail('ASSET_HTTP', shown, `redirect ${res.statusCode} without a Location`, false);
      if (hop >= MAX_ASSET_REDIRECTS) {
        throw fail('ASSET_TOO_MANY_REDIRECTS', shown, `more than ${MAX_ASSET_REDIRECTS} redirects`, false);
      }
      const next = checkUrl(new URL(location, url).href, opts);
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw fail('ASSET_BAD_SCHEME', shown, 'it redirects from https to plain http, which is not followed', false);
      }
      url = next;
      continue;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump().catch(() => undefined);
      throw statusError(res.statusCode, describeAssetUrl(url.href));
    }
    return writeBody(res, url, opts);
  }
}

function checkUrl(raw: string, opts: DownloadOptions): URL {
  const { allowedHosts } = opts;
  const shown = describeAssetUrl(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('ASSET_BAD_SCHEME', shown, 'not a valid absolute URL', false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fail('ASSET_BAD_SCHEME', shown, 'only http and https URLs are downloaded', false);
  }
  if (allowedHosts && !allowedHosts.some((h) => hostMatches(url.hostname, h))) {
    throw fail('ASSET_HOST_NOT_ALLOWED', shown, `host ${url.hostname} is not in the allowed hosts`, false);
  }
  if (isPrivateAddress(url.hostname) && !mayBePrivate(url.hostname, opts.privateHosts ?? [])) {
    throw privateAddress(shown, url.hostname);
  }
  return url;
}

function privateAddress(shown: string, what: string): AssetError {
  const problem =
    `${what} is a loopback, private or link-local address, which output URLs may not point at; only the hosts of ` +
    `the configured provider base URLs may (set DURABATCH_ALLOW_PRIVATE_URLS=1 on the worker to allow any)`;
  return fail('ASSET_HOST_NOT_ALLOWED', shown, problem, false);
}

function hostMatches(host: string, pattern: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p;
}

async function send(url: URL, opts: DownloadOptions): Promise<Dispatcher.ResponseData> {
  if (opts.signal?.aborted) throw transferError(opts.signal.reason, url, opts);
  try {
    return await request(url, {
      method: 'GET',
      signal: opts.signal ?? null,
      headersTimeout: opts.timeoutMs ?? 60_000,
      bodyTimeout: opts.timeoutMs ?? 60_000,
      dispatcher: opts.dispatcher ?? assetAgent(opts.privateHosts ?? []),
    });
  } catch (err) {
    throw transferError(err, url, opts);
  }
}

async function writeBody(res: Dispatcher.ResponseData, url: URL, opts: DownloadOptions): Promise<DownloadResult> {
  const shown = describeAssetUrl(url.href);
  const capBytes = Math.floor(opts.maxBytes);
  const capMb = Math.round((capBytes / 1024 / 1024) * 10) / 10;
  const limit = capMb >= 1 ? `${capMb} MB (${capBytes} bytes)` : `${capBytes} bytes`;
  const tooLarge = () =>
    fail(
      'ASSET_TOO_LARGE',
      shown,
      `the file is larger than the limit of ${limit}; nothing was kept — raise DURABATCH_MAX_ASSET_MB on the worker if outputs this large are expected`,
      false,
    );
  const declared = Number(headerValue(res.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    discard(res.body);
    throw tooLarge();
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) return callback(tooLarge());
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  let sink: DownloadSink | undefined;
  try {
    sink = await opts.sink();
    await pipeline(res.body, meter, sink.stream);
    await sink.commit();
  } catch (err) {
    discard(res.body);
    await sink?.abort().catch(() => undefined);
    throw transferError(err, url, opts);
  }
  return { bytes, sha256: hash.digest('hex'), contentType: headerValue(res.headers, 'content-type') ?? null };
}

/**
 * Drops a response body we will not read. Destroying an undici body makes it emit an AbortError, which nobody
 * listens for once we stop reading: without a listener that error is an uncaught exception that kills the worker.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function statusError(status: number, shown: string): AssetError {
  if (EXPIRED_STATUSES.has(status)) {
    return new AssetError({
      code: 'ASSET_EXPIRED',
      url: shown,
      problem: `status ${status}: the signed URL has expired or was refused; fetch the run again for a fresh one`,
      retryable: false,
      expired: true,
      status,
    });
  }
  const retryable = RETRYABLE_STATUSES.has(status);
  return new AssetError({ code: 'ASSET_HTTP', url: shown, problem: `status ${status}`, retryable, status });
}

const FS_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR', 'EMFILE', 'EDQUOT', 'EEXIST']);

function transferError(err: unknown, url: URL, opts: DownloadOptions): AssetError {
  if (err instanceof AssetError) return err;
  const shown = describeAssetUrl(url.href);
  // The signature lives in the query: keep its values out of any cause we attach.
  const secrets = [url.search.slice(1), ...[...url.searchParams.values()].filter((v) => v.length >= 8)];
  const cause = sanitizeCause(err, secrets);
  if (opts.signal?.aborted) return fail('ASSET_ABORTED', shown, 'aborted', false, cause);
  const code = errorCode(err);
  if (code === PRIVATE_ADDRESS_CODE) return privateAddress(shown, `host ${url.hostname} resolves to an address that`);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return fail('ASSET_TIMEOUT', shown, `no data within ${opts.timeoutMs ?? 60_000} ms`, true, cause);
  }
  if (code !== undefined && FS_CODES.has(code))
    return fail('ASSET_IO', shown, `cannot write the file (${code})`, true, cause);
  return fail('ASSET_NETWORK', shown, `network failure${code ? ` (${code})` : ''}`, true, cause);
}

function fail(code: AssetError['code'], url: string, problem: string, retryable: boolean, cause?: unknown): AssetError {
  return new AssetError({ code, url, problem, retryable, ...(cause === undefined ? {} : { cause }) });
}
