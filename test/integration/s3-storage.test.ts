import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage, s3ClientFromEnv } from '../../src/storage/index.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';
import { describeStorageContract } from '../helpers/storage-contract.js';

const BUCKET = 'batches';
let server: S3Server;
let client: S3Client;

beforeAll(async () => {
  server = await startS3Server();
  await server.createBucket(BUCKET);
  client = s3ClientFromEnv(server.env());
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describeStorageContract('S3-compatible storage (versitygw)', () => {
  const prefix = `team/${randomBytes(4).toString('hex')}`;
  return Promise.resolve({
    storage: new S3Storage(`s3://${BUCKET}/${prefix}`, client),
    close: () => Promise.resolve(),
  });
});

describe('S3 storage', () => {
  it('uploads a large object in parts and shows nothing under its key until the upload completes', async () => {
    const storage = new S3Storage(`s3://${BUCKET}/large-${randomBytes(4).toString('hex')}`, client);
    const data = randomBytes(20 * 1024 * 1024);
    const writer = await storage.createWriter('outputs/r1/video.mp4');
    for (let at = 0; at < data.length; at += 1024 * 1024) {
      if (!writer.stream.write(data.subarray(at, at + 1024 * 1024))) {
        await new Promise((r) => writer.stream.once('drain', r));
      }
      if (at === 0) expect(await storage.exists('outputs/r1/video.mp4')).toBe(false);
    }
    await writer.commit();
    const back = await storage.readRange('outputs/r1/video.mp4', 0, data.length);
    expect(back.equals(data)).toBe(true);
  });

  it('keeps every key inside the batch prefix', () => {
    const storage = new S3Storage(`s3://${BUCKET}/p`, client);
    expect(storage.objectKey('items/a.json')).toBe('p/items/a.json');
    expect(() => storage.objectKey('../other/items/a.json')).toThrow(/not a plain path/);
    expect(() => new S3Storage('s3:///p', client)).toThrow(/s3:\/\/bucket\/prefix/);
  });
});
