import type { S3Client } from '@aws-sdk/client-s3';
import { LocalStorage } from './local.js';
import { S3Storage, s3ClientFromEnv } from './s3.js';
import type { BatchStorage } from './storage.js';

let s3: S3Client | undefined;

/**
 * Opens the storage a batch recorded: `s3://bucket/prefix` on S3-compatible storage (one client per process, from
 * the AWS SDK's standard environment), anything else a local folder.
 */
export function openStorage(location: string): BatchStorage {
  if (location.startsWith('s3://')) return new S3Storage(location, (s3 ??= s3ClientFromEnv()));
  return new LocalStorage(location);
}

/** True for a location on S3-compatible storage. */
export function isS3Location(location: string): boolean {
  return location.startsWith('s3://');
}
