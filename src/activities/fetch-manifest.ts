import { ApplicationFailure } from '@temporalio/common';
import { dirname, basename } from 'node:path';
import { download } from '../providers/download.js';
import { LocalStorage } from '../storage/index.js';
import { AssetError } from '../providers/errors.js';
import { SCHEDULE_FAILURE_TYPES } from '../shared/schedule.js';
import type { FetchManifestInput, FetchManifestOutput } from './contracts.js';
import type { ActivityDeps } from './deps.js';
import { toActivityFailure } from './failures.js';
import { cancellationSignal, withHeartbeat } from './heartbeat.js';

export function createFetchManifest(deps: ActivityDeps) {
  /**
   * Downloads a scheduled batch's manifest from its http(s) URL into the fire's batch folder, at fire time, so each
   * fire reads the manifest as it is then. Written atomically (a retry starts over), capped at the output size limit
   * (DURABATCH_MAX_ASSET_MB), at most 3 redirects and never from https down to http. The URL is the operator's
   * choice, not a provider's, so private addresses (an internal file server) are allowed. Messages never show the
   * URL's query string.
   */
  return async function fetchManifest(input: FetchManifestInput): Promise<FetchManifestOutput> {
    try {
      const got = await withHeartbeat(
        () =>
          download({
            url: input.url,
            sink: () => new LocalStorage(dirname(input.destPath)).createWriter(basename(input.destPath)),
            maxBytes: deps.maxAssetBytes,
            signal: cancellationSignal(),
            privateHosts: 'any',
          }),
        10_000,
      );
      return { path: input.destPath, bytes: got.bytes, sha256: got.sha256 };
    } catch (err) {
      throw manifestFetchFailure(err, deps.secrets);
    }
  };
}

/** A download error as the fire's failure: "could not fetch the manifest: download of … failed: status 404". */
function manifestFetchFailure(err: unknown, secrets: readonly string[]): unknown {
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
