import { createHash, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpAnswers } from '../../src/temporal/server-probe.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';

const BUCKET = 's3-server-test';
const MiB = 1024 * 1024;

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('the S3-compatible test server (Versity S3 Gateway)', () => {
  let server: S3Server;
  let s3: S3Client;

  beforeAll(async () => {
    server = await startS3Server();
    s3 = new S3Client({
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    await server.createBucket(BUCKET);
  });

  afterAll(async () => {
    s3?.destroy();
    await server?.stop();
  });

  async function read(key: string): Promise<string> {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return (await res.Body?.transformToString()) ?? '';
  }

  it('stores, lists, reads back and deletes objects', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'crud/a.json', Body: '{"a":1}' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'crud/b.json', Body: '{"b":2}' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other/c.json', Body: '{}' }));

    expect(await read('crud/a.json')).toBe('{"a":1}');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'crud/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['crud/a.json', 'crud/b.json']);

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'crud/a.json' }));
    await expect(read('crud/a.json')).rejects.toMatchObject({ name: 'NoSuchKey' });
    const after = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'crud/' }));
    expect(after.Contents?.map((o) => o.Key)).toEqual(['crud/b.json']);
  });

  it('refuses a PutObject with If-None-Match: * over an existing key with 412 and keeps the first content', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once/result.json', Body: 'first', IfNoneMatch: '*' }));

    const second = s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'once/result.json', Body: 'second', IfNoneMatch: '*' }),
    );

    await expect(second).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(await read('once/result.json')).toBe('first');
  });

  it('refuses to complete a multipart upload with If-None-Match: * over an existing key', async () => {
    const key = 'once/multipart.bin';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'first' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const part = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'x' }));

    const complete = s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        IfNoneMatch: '*',
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );

    await expect(complete).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(await read(key)).toBe('first');
  });

  it('assembles a 12 MiB upload sent in 5 MiB parts into one whole object', async () => {
    const data = randomBytes(12 * MiB);
    const upload = new Upload({
      client: s3,
      params: { Bucket: BUCKET, Key: 'big/output.bin', Body: data },
      partSize: 5 * MiB,
      queueSize: 2,
    });

    const done = await upload.done();

    expect(done.ETag).toMatch(/-3"$/); // an S3 multipart ETag ends in the number of parts
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/output.bin' }));
    expect(res.ContentLength).toBe(data.length);
    const stored = await res.Body?.transformToByteArray();
    expect(sha256(stored ?? new Uint8Array())).toBe(sha256(data));
  });

  it('stops answering and removes its data folder once stopped', async () => {
    const other = await startS3Server();
    expect(await httpAnswers(other.endpoint, 1_000)).toBe(true);

    await other.stop();

    expect(await httpAnswers(other.endpoint, 1_000)).toBe(false);
    await expect(stat(other.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
