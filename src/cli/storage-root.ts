import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { absolutePath, secretValues } from '../config.js';
import { redactSecrets } from '../providers/redact.js';
import {
  isS3Location,
  openStorage,
  parseS3Location,
  S3LocationError,
  StorageElsewhereError,
  thisHost,
} from '../storage/index.js';
import { CliError, infraError, usageError } from './errors.js';

/**
 * Where batches live, from `--storage` (or `--data-dir`, or DURABATCH_STORAGE): an absolute folder, or an
 * `s3://bucket/prefix` every worker can reach. Default: `.durabatch` next to the manifest.
 */
export function storageRoot(
  opts: { storage?: string | undefined; dataDir?: string | undefined },
  env: NodeJS.ProcessEnv,
  besideManifest: string,
): string {
  if (opts.storage !== undefined && opts.dataDir !== undefined) {
    throw usageError('give --storage or --data-dir, not both (--data-dir DIR is --storage DIR)');
  }
  const given = opts.storage ?? opts.dataDir ?? (env.DURABATCH_STORAGE?.trim() || undefined);
  if (given === undefined) return `file://${thisHost()}${join(besideManifest, '.durabatch')}`;
  if (isS3Location(given)) {
    try {
      const { bucket, prefix } = parseS3Location(given);
      return `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    } catch (err) {
      if (err instanceof S3LocationError) throw usageError(`--storage: ${err.message}`);
      throw err;
    }
  }
  if (given.startsWith('shared:')) {
    const path = given.slice('shared:'.length);
    if (path.trim() === '')
      throw usageError('--storage shared:PATH needs the folder every host mounts, e.g. shared:/mnt/batches');
    return `shared:${absolutePath(path)}`;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(given)) {
    throw usageError(`--storage '${given}': use a folder, shared:/path or s3://bucket/prefix`);
  }
  return `file://${thisHost()}${absolutePath(given)}`;
}

/** A batch's own storage inside the root (the root's kind, with the batch id as the last part). */
export function batchStorage(root: string, batchId: string): string {
  if (isS3Location(root)) return `${root}/${batchId}`;
  const local = /^(file:\/\/[^/]*|shared:)(\/.*)$/.exec(root);
  if (local) return `${local[1]}${join(local[2] ?? '/', batchId)}`;
  return join(root, batchId);
}

/** Where `run` puts the manifest in the batch's storage: workers read this copy, never the user's file. */
export const SOURCE_PREFIX = 'source';

/**
 * Copies the manifest into the batch's storage (once: a batch already holding its manifest keeps it, so a re-run
 * never changes what a running batch reads). Returns the key. Storage that cannot be reached is an infrastructure
 * error that names what to check, never a credential.
 */
export async function putManifest(storage: string, manifestPath: string, name: string): Promise<string> {
  const key = `${SOURCE_PREFIX}/${name}`;
  const target = openStorage(storage);
  try {
    if (await target.exists(key)) return key;
    const writer = await target.createWriter(key);
    try {
      await pipeline(createReadStream(manifestPath), writer.stream);
      await writer.commit();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return key;
  } catch (err) {
    throw storageProblem(err, `put the manifest into ${target.urlOf(key)}`, storage);
  }
}

/**
 * A storage failure as the one sentence a person can act on: what could not be done, the storage's own words (with
 * credentials redacted), and what to check. A refusal of the credentials (403, or the SDK's bare "UnknownError" for
 * a signature it could not parse) says so. Errors that already are CLI errors pass through.
 */
export function storageProblem(err: unknown, doing: string, storage: string): unknown {
  if (err instanceof CliError || err instanceof StorageElsewhereError) return err;
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const raw = err instanceof Error ? err.message : String(err);
  const refused = status === 403 || raw === 'UnknownError';
  const said = refused ? `the storage refused the credentials (${status ?? 'no reason given'})` : raw;
  const what = !isS3Location(storage)
    ? 'check that the folder is there and writable'
    : refused
      ? 'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of this shell'
      : 'check the bucket and the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION / AWS_ENDPOINT_URL_S3 of this shell';
  return infraError(`could not ${doing}: ${redactSecrets(said, secretValues())}; ${what}`);
}
