import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, Readable } from 'node:stream';
import type { BatchStorage, StorageWriter } from './storage.js';

/** Thrown for an `s3://` location that names no bucket, or a key that would leave the batch's prefix. */
export class S3LocationError extends Error {
  override readonly name = 'S3LocationError';
  readonly code = 'STORAGE_BAD_S3_LOCATION';
}

/** Multipart uploads of outputs: parts of 8 MB, two in flight (memory per upload stays near 16 MB). */
const PART_SIZE = 8 * 1024 * 1024;
const PART_QUEUE = 2;

/**
 * A batch in S3-compatible object storage, at `s3://bucket/prefix`: what lets workers on many machines share one
 * batch. Objects are written whole (a PUT, or a multipart upload that becomes visible only when completed), and
 * create-exclusive writes are conditional PUTs (`If-None-Match: *`, a 412 means someone else created it first).
 * Credentials and the endpoint come from the AWS SDK's standard configuration, never from the location.
 */
export class S3Storage implements BatchStorage {
  readonly location: string;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    location: string,
    private readonly client: S3Client,
  ) {
    const { bucket, prefix } = parseS3Location(location);
    this.bucket = bucket;
    this.prefix = prefix;
    this.location = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
  }

  /** The object key of a storage key: under the batch's prefix, with no empty, `.` or `..` segment. */
  objectKey(key: string): string {
    const clean = key.replace(/^\/+|\/+$/g, '');
    if (clean === '' || clean === '.') return this.prefix;
    if (clean.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new S3LocationError(`key '${key}' is not a plain path inside the batch`);
    }
    return this.prefix ? `${this.prefix}/${clean}` : clean;
  }

  urlOf(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  async writeAtomic(key: string, data: string | Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data }));
  }

  async createExclusive(key: string, data: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data, IfNoneMatch: '*' }),
      );
      return true;
    } catch (err) {
      // 412: the object exists. 409: a concurrent conditional write of the same key is in progress, and it wins.
      if (statusOf(err) === 412 || statusOf(err) === 409) return false;
      throw err;
    }
  }

  async readText(key: string): Promise<string | null> {
    const body = await this.get(key);
    return body === null ? null : body.transformToString('utf8');
  }

  async readRange(key: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      );
      return Buffer.from((await res.Body?.transformToByteArray()) ?? []);
    } catch (err) {
      if (statusOf(err) === 416) return Buffer.alloc(0); // the range starts past the end
      throw err;
    }
  }

  async openRead(key: string): Promise<Readable | null> {
    const body = await this.get(key);
    if (body === null) return null;
    return body instanceof Readable ? body : Readable.fromWeb(body.transformToWebStream() as never);
  }

  async createWriter(key: string): Promise<StorageWriter> {
    const stream = new PassThrough();
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.objectKey(key), Body: stream },
      partSize: PART_SIZE,
      queueSize: PART_QUEUE,
      leavePartsOnError: false,
    });
    // The upload reads the stream as it is written; its outcome is awaited by commit().
    const done = upload.done();
    done.catch(() => undefined);
    let settled = false;
    return Promise.resolve({
      stream,
      async commit() {
        if (!stream.writableEnded) stream.end();
        await done;
        settled = true;
      },
      async abort() {
        if (settled) return;
        settled = true;
        stream.destroy();
        await upload.abort().catch(() => undefined);
        await done.catch(() => undefined);
      },
    });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async removeAll(key: string): Promise<void> {
    const keys = await this.keysUnder(this.objectKey(key));
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  async list(key: string): Promise<string[]> {
    const base = this.objectKey(key);
    const prefix = base ? `${base}/` : '';
    const names: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
      );
      for (const p of res.CommonPrefixes ?? []) if (p.Prefix) names.push(p.Prefix.slice(prefix.length, -1));
      for (const o of res.Contents ?? []) if (o.Key && o.Key !== prefix) names.push(o.Key.slice(prefix.length));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return names.filter((n) => n !== '' && !n.startsWith('.'));
  }

  private async keysUnder(objectKey: string): Promise<string[]> {
    const prefix = objectKey ? `${objectKey}/` : '';
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private async get(key: string) {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return res.Body ?? null;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}

/** `s3://bucket/some/prefix` → its bucket and prefix (without slashes at either end). */
export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/*(.*)$/.exec(location.trim());
  if (!m?.[1]) throw new S3LocationError(`'${location}' is not an S3 location: write it as s3://bucket/prefix`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..')) {
    throw new S3LocationError(`'${location}' has a '.' or '..' segment in its prefix`);
  }
  return { bucket: m[1], prefix };
}

/**
 * One S3 client per process, configured the AWS SDK's standard way: credentials from AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY or a profile, AWS_REGION (default us-east-1), and an S3-compatible server from
 * AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, addressed path-style.
 */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  // The SDK warns on every start under Node 20 that its releases after January 2027 will need Node 22; the version
  // durabatch pins supports Node 20, so the warning says nothing about this install.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoint = env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  return new S3Client({
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Keys in `env` are used as given; without them the SDK's own chain (profiles, instance roles …) applies.
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
  });
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode;
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
