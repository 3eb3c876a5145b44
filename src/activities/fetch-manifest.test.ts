import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchManifestOutput } from './contracts.js';
import { createFetchManifest } from './fetch-manifest.js';

const CSV = 'sku,Prompt\nA-1,a cat\n';

describe('fetchManifest', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const fetchManifest = createFetchManifest({
    adapterFor: () => {
      throw new Error('no adapter needed');
    },
    secrets: [],
    maxAssetBytes: 64,
  });
  const run = (path: string): Promise<FetchManifestOutput> =>
    new MockActivityEnvironment().run(fetchManifest, {
      source: `${base}${path}`,
      storage: join(dir, 'b'),
      key: 'source/m.csv',
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'durabatch-fetch-'));
    server = createServer((req, res) => {
      if (req.url === '/m.csv') return void res.writeHead(200).end(CSV);
      if (req.url === '/big.csv') return void res.writeHead(200).end('x'.repeat(1000));
      if (req.url === '/private.csv') return void res.writeHead(403).end();
      res.writeHead(req.url === '/flaky.csv' ? 503 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("puts the manifest into the batch's storage, from a private address too", async () => {
    const got = await run('/m.csv');
    expect(got).toMatchObject({ key: 'source/m.csv', bytes: CSV.length });
    expect(await readFile(join(dir, 'b', 'source', 'm.csv'), 'utf8')).toBe(CSV);
  });

  it("copies a manifest path on the worker into the batch's storage, and names a missing one", async () => {
    const path = join(dir, 'local.csv');
    await writeFile(path, CSV);
    const env = new MockActivityEnvironment();
    const got: FetchManifestOutput = await env.run(fetchManifest, {
      source: path,
      storage: join(dir, 'c'),
      key: 'source/local.csv',
    });
    expect(got.bytes).toBe(CSV.length);
    expect(await readFile(join(dir, 'c', 'source', 'local.csv'), 'utf8')).toBe(CSV);
    const err: unknown = await env
      .run(fetchManifest, { source: join(dir, 'gone.csv'), storage: join(dir, 'c'), key: 'source/gone.csv' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'ManifestFetchFailed', nonRetryable: true });
    expect((err as Error).message).toContain('does not exist on the worker');
  });

  it('still answers a fire of 0.1, which asked for a local path', async () => {
    const destPath = join(dir, 'old', 'm.csv');
    const got: FetchManifestOutput = await new MockActivityEnvironment().run(fetchManifest, {
      url: `${base}/m.csv`,
      destPath,
    });
    expect(got.path).toBe(destPath);
    expect(await readFile(destPath, 'utf8')).toBe(CSV);
  });

  const failure = async (path: string) => {
    const err: unknown = await run(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  };

  it('fails for good on 404, with the URL and status in the message', async () => {
    const err = await failure('/none.csv');
    expect(err.type).toBe('ManifestFetchFailed');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toBe(`could not fetch the manifest: download of ${base}/none.csv failed: status 404`);
  });

  it('retries a 503', async () => {
    expect((await failure('/flaky.csv')).nonRetryable).toBe(false);
  });

  it('says a manifest URL must be readable without credentials on 403', async () => {
    expect((await failure('/private.csv')).message).toContain('must be readable without credentials');
  });

  it('refuses a manifest over the size cap', async () => {
    const err = await failure('/big.csv');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain('larger than the limit of 64 bytes');
  });
});
