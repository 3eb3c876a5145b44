import type { S3Client } from '@aws-sdk/client-s3';
import { hostname } from 'node:os';
import { LocalStorage } from './local.js';
import { S3Storage, s3ClientFromEnv } from './s3.js';
import type { BatchStorage } from './storage.js';

let s3: S3Client | undefined;

/**
 * A batch's data on one host's disk, opened on another: its files are not there. Thrown before anything is read or
 * written, so a worker on the wrong host never acts on a row (it would not find the row's submit journal).
 */
export class StorageElsewhereError extends Error {
  override readonly name = 'StorageElsewhereError';
  readonly code = 'STORAGE_ON_ANOTHER_HOST';
  constructor(
    readonly owner: string,
    readonly here: string,
    readonly path: string,
  ) {
    super(
      `the batch's data is in ${path} on host ${owner}, and this is host ${here}: run the workers on ${owner}, or ` +
        'give the batch storage every worker reaches (--storage s3://bucket/prefix, or --storage shared:/path for a ' +
        'folder every host mounts at the same path)',
    );
  }
}

/** This host's name as batch locations record it. */
export function thisHost(): string {
  return hostname();
}

/**
 * Opens the storage a batch recorded:
 * - `s3://bucket/prefix`: S3-compatible storage (one client per process, from the AWS SDK's standard environment);
 * - `file://HOST/abs/path`: a folder on HOST's disk, the default; opened on any other host it throws
 *   StorageElsewhereError;
 * - `shared:/abs/path`: a folder every host mounts at the same path (NFS, EFS), opened anywhere;
 * - a plain absolute path: a folder of a batch started before locations named their host (opened anywhere).
 */
export function openStorage(location: string): BatchStorage {
  if (location.startsWith('s3://')) return new S3Storage(location, (s3 ??= s3ClientFromEnv()));
  const owned = /^file:\/\/([^/]*)(\/.*)$/.exec(location);
  if (owned) {
    const [, owner = '', path = '/'] = owned;
    if (owner !== '' && owner !== thisHost()) throw new StorageElsewhereError(owner, thisHost(), path);
    return new LocalStorage(path);
  }
  if (location.startsWith('shared:')) return new LocalStorage(location.slice('shared:'.length));
  return new LocalStorage(location);
}

/** True for a location on S3-compatible storage. */
export function isS3Location(location: string): boolean {
  return location.startsWith('s3://');
}
