import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { download } from '../providers/download.js';
import { AssetError } from '../providers/errors.js';
import { isManifestUrl, SCHEDULE_FAILURE_TYPES } from '../shared/schedule.js';
import { LocalStorage, openStorage } from '../storage/index.js';
import type { FetchManifestInput, FetchManifestOutput } from './contracts.js';
import type { ActivityDeps } from './deps.js';
import { toActivityFailure } from './failures.js';
import { cancellationSignal, withHeartbeat } from './heartbeat.js';

/** What a fire of 0.1 asked for: a URL downloaded to a path on the worker. */
interface LegacyFetchManifestInput {
  url: string;
  destPath: string;
}

export function createFetchManifest(deps: ActivityDeps) {
  /**
   * Puts a scheduled batch's manifest into the fire's batch storage, at fire time, so each fire reads the manifest as
   * it is then and every worker reads that copy. A URL is downloaded (capped at the output size limit,
   * DURABATCH_MAX_ASSET_MB, at most 3 redirects, never from https down to http; the URL is the operator's choice,
   * not a provider's, so private addresses such as an internal file server are allowed); a path is read on this
   * worker. Written whole or not at all (a retry starts over). Messages never show the URL's query string.
   */
  return async function fetchManifest(
    input: FetchManifestInput | LegacyFetchManifestInput,
  ): Promise<FetchManifestOutput> {
    try {
      if ('destPath' in input) {
        const sink = () => new LocalStorage(dirname(input.destPath)).createWriter(basename(input.destPath));
        const got = await withHeartbeat(() => fetchUrl(deps, input.url, sink), 10_000);
        return { key: input.destPath, path: input.destPath, bytes: got.bytes, sha256: got.sha256 };
      }
      const storage = openStorage(input.storage);
      const sink = () => storage.createWriter(input.key);
      const got = await withHeartbeat(
        () => (isManifestUrl(input.source) ? fetchUrl(deps, input.source, sink) : copyFile(input.source, sink)),
        10_000,
      );
      return { key: input.key, bytes: got.bytes, sha256: got.sha256 };
    } catch (err) {
      throw manifestFetchFailure(err, deps.secrets);
    }
  };
}

type Sink = Parameters<typeof download>[0]['sink'];

function fetchUrl(deps: ActivityDeps, url: string, sink: Sink) {
  return download({ url, sink, maxBytes: deps.maxAssetBytes, signal: cancellationSignal(), privateHosts: 'any' });
}

/** A manifest path on this worker into storage, hashed on the way. */
async function copyFile(path: string, sink: Sink): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const writer = await sink();
  try {
    await pipeline(createReadStream(path), meter, writer.stream);
    await writer.commit();
  } catch (err) {
    await writer.abort();
    if ((err as { code?: unknown }).code === 'ENOENT') {
      throw ApplicationFailure.create({
        type: SCHEDULE_FAILURE_TYPES.manifestFetch,
        message: `could not read the manifest: ${path} does not exist on the worker that ran this fire`,
        nonRetryable: true,
      });
    }
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** A download error as the fire's failure: "could not fetch the manifest: download of … failed: status 404". */
function manifestFetchFailure(err: unknown, secrets: readonly string[]): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof AssetError)) return toActivityFailure(err, secrets);
  const message = err.expired
    ? `could not fetch the manifest: ${err.url} answered ${err.status ?? 'a refusal'}; a manifest URL must be readable without credentials`
    : `could not fetch the manifest: ${err.message}`;
  return ApplicationFailure.create({
    type: SCHEDULE_FAILURE_TYPES.manifestFetch,
    message,
    details: [{ code: err.code, status: err.status ?? null }],
    nonRetryable: !err.retryable,
  });
}
