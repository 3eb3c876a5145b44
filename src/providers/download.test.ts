import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Agent, MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage, STALE_PART_MS } from '../storage/local.js';
import { download, type DownloadOptions } from './download.js';
import { AssetError } from './errors.js';

/** A download into a local batch folder, as a row's outputs are written (a part file renamed into place). */
function downloadToFile(opts: Omit<DownloadOptions, 'sink'> & { destPath: string }) {
  const { destPath, ...rest } = opts;
  return download({ ...rest, sink: () => new LocalStorage(dirname(destPath)).createWriter(basename(destPath)) });
}

const PAYLOAD = Buffer.alloc(256 * 1024, 7);
const SIG = 'sig=SECRETSIGNATURE123456';

describe('download into batch storage', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {};
  const agent = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const get = (path: string, over: Partial<Parameters<typeof downloadToFile>[0]> = {}) =>
    downloadToFile({
      url: `${base}${path}`,
      destPath: join(dir, 'out', 'a.png'),
      maxBytes: 1024 * 1024,
      dispatcher: agent,
      privateHosts: ['127.0.0.1'],
      ...over,
    });
  const failure = async (p: Promise<unknown>) =>
    (await p.then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    )) as AssetError;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const route = routes[(req.url ?? '').split('?')[0] ?? ''];
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'durabatch-dl-'));
    routes = {
      '/a.png': (_q, s) =>
        s.writeHead(200, { 'content-type': 'image/png', 'content-length': PAYLOAD.length }).end(PAYLOAD),
      '/chunked': (_q, s) => {
        s.writeHead(200, { 'content-type': 'image/png' });
        for (let i = 0; i < 8; i++) s.write(PAYLOAD);
        s.end();
      },
    };
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('streams to the destination, hashing on the way, and leaves no partial file', async () => {
    const res = await get(`/a.png?${SIG}`);
    expect(res).toEqual({
      bytes: PAYLOAD.length,
      sha256: createHash('sha256').update(PAYLOAD).digest('hex'),
      contentType: 'image/png',
    });
    expect((await readFile(join(dir, 'out', 'a.png'))).equals(PAYLOAD)).toBe(true);
    expect(await readdir(join(dir, 'out'))).toEqual(['a.png']);
  });

  it('clears part files of this output left by a killed download, but not a fresh one or another output', async () => {
    const out = join(dir, 'out');
    await mkdir(out, { recursive: true });
    const old = (Date.now() - STALE_PART_MS - 60_000) / 1000;
    for (const name of ['a.png.0123456789ab.part', 'b.png.0123456789ab.part', 'a.png.notes']) {
      await writeFile(join(out, name), 'left over');
      await utimes(join(out, name), old, old);
    }
    await writeFile(join(out, 'a.png.ba9876543210.part'), 'still being written');
    await get('/a.png');
    expect((await readdir(out)).sort()).toEqual(
      ['a.png', 'a.png.ba9876543210.part', 'a.png.notes', 'b.png.0123456789ab.part'].sort(),
    );
  });

  it('refuses a declared size over the cap before writing anything', async () => {
    const err = await failure(get('/a.png', { maxBytes: 1000 }));
    expect(err).toMatchObject({ name: 'AssetError', code: 'ASSET_TOO_LARGE', retryable: false });
    expect(await readdir(dir)).toEqual([]);
  });

  it('drops a small body refused for its declared size without an uncaught error', async () => {
    routes['/small.png'] = (_q, s) => s.writeHead(200, { 'content-length': '137' }).end(Buffer.alloc(137, 1));
    const unhandled: unknown[] = [];
    const onError = (err: unknown) => unhandled.push(err);
    process.on('uncaughtException', onError);
    try {
      expect(await failure(get('/small.png', { maxBytes: 104 }))).toMatchObject({ code: 'ASSET_TOO_LARGE' });
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(unhandled).toEqual([]);
  });

  it('aborts a streamed body over the cap and deletes the partial file', async () => {
    const err = await failure(get('/chunked', { maxBytes: 3 * PAYLOAD.length }));
    expect(err.code).toBe('ASSET_TOO_LARGE');
    expect(err.message).toContain('limit of 786432 bytes;');
    expect(err.message).toContain('DURABATCH_MAX_ASSET_MB');
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });

  it('refuses loopback, private and link-local addresses on hosts not allowed to have them', async () => {
    const refused = await failure(get('/a.png', { privateHosts: [] }));
    expect(refused).toMatchObject({ code: 'ASSET_HOST_NOT_ALLOWED', retryable: false });
    expect(refused.message).toContain('127.0.0.1 is a loopback, private or link-local address');
    expect(refused.message).toContain('DURABATCH_ALLOW_PRIVATE_URLS=1');
    for (const target of ['http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/a.png', 'http://[::1]:1/a.png']) {
      routes['/inside'] = (_q, s) => s.writeHead(302, { location: target }).end();
      expect(await failure(get('/inside')), target).toMatchObject({ code: 'ASSET_HOST_NOT_ALLOWED' });
    }
    expect(await readdir(dir)).toEqual([]);
    await expect(get('/a.png', { privateHosts: 'any' })).resolves.toMatchObject({ bytes: PAYLOAD.length });
  });

  it('refuses a host name that resolves to a loopback address, checked on the connection itself', async () => {
    const port = new URL(base).port;
    const viaName = (privateHosts: string[]) =>
      downloadToFile({
        url: `http://localhost:${port}/a.png`,
        destPath: join(dir, 'n.png'),
        maxBytes: 1e6,
        privateHosts,
      });
    const err = await failure(viaName(['127.0.0.1']));
    expect(err).toMatchObject({ code: 'ASSET_HOST_NOT_ALLOWED', retryable: false });
    expect(err.message).toContain('host localhost resolves to an address that is a loopback');
    await expect(viaName(['localhost'])).resolves.toMatchObject({ bytes: PAYLOAD.length });
  });

  it('never follows a redirect from https down to plain http', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock
      .get('https://cdn.test')
      .intercept({ path: '/a.png' })
      .reply(302, '', { headers: { location: 'http://cdn.test/a.png' } });
    const err = await failure(
      downloadToFile({ url: 'https://cdn.test/a.png', destPath: join(dir, 'x.png'), maxBytes: 1e6, dispatcher: mock }),
    );
    expect(err).toMatchObject({ code: 'ASSET_BAD_SCHEME', retryable: false });
    expect(err.message).toContain('from https to plain http');
    await mock.close();
  });

  it('accepts only http and https URLs', async () => {
    for (const url of ['file:///etc/passwd', 'data:image/png;base64,AAAA', 'ftp://x.test/a.png', 'not a url']) {
      const err = await failure(downloadToFile({ url, destPath: join(dir, 'x'), maxBytes: 10 }));
      expect(err).toBeInstanceOf(AssetError);
      expect(err).toMatchObject({ code: 'ASSET_BAD_SCHEME', retryable: false });
    }
  });

  it('reports 401/403/410 as an expired signed URL, without the signature', async () => {
    for (const status of [401, 403, 410]) {
      routes['/gone.png'] = (_q, s) => s.writeHead(status).end('AccessDenied');
      const err = await failure(get(`/gone.png?${SIG}`));
      expect(err).toMatchObject({ code: 'ASSET_EXPIRED', expired: true, retryable: false, status });
      expect(err.message).toBe(
        `download of ${base}/gone.png failed: status ${status}: the signed URL has expired or was refused; fetch the run again for a fresh one`,
      );
      expect(JSON.stringify(err) + err.message + String(err.stack)).not.toContain('SECRETSIGNATURE');
    }
  });

  it('reports other statuses with their status, retryable only for 408/429/5xx', async () => {
    routes['/busy.png'] = (_q, s) => s.writeHead(503).end();
    expect(await failure(get('/busy.png'))).toMatchObject({
      code: 'ASSET_HTTP',
      status: 503,
      retryable: true,
      expired: false,
    });
    expect(await failure(get('/nothing.png'))).toMatchObject({ code: 'ASSET_HTTP', status: 404, retryable: false });
  });

  it('follows up to 3 http(s) redirects and no more', async () => {
    routes['/r1'] = (_q, s) => s.writeHead(302, { location: '/r2' }).end();
    routes['/r2'] = (_q, s) => s.writeHead(301, { location: `${base}/r3` }).end();
    routes['/r3'] = (_q, s) => s.writeHead(307, { location: '/a.png' }).end();
    expect((await get('/r1')).bytes).toBe(PAYLOAD.length);
    routes['/r0'] = (_q, s) => s.writeHead(302, { location: '/r1' }).end();
    expect(await failure(get('/r0'))).toMatchObject({ code: 'ASSET_TOO_MANY_REDIRECTS', retryable: false });
    routes['/tofile'] = (_q, s) => s.writeHead(302, { location: 'file:///etc/passwd' }).end();
    expect(await failure(get('/tofile'))).toMatchObject({ code: 'ASSET_BAD_SCHEME' });
  });

  it('keeps to the allowed hosts, redirects included', async () => {
    await expect(get('/a.png', { allowedHosts: ['127.0.0.1'] })).resolves.toMatchObject({ bytes: PAYLOAD.length });
    expect(await failure(get('/a.png', { allowedHosts: ['*.cdn.test'] }))).toMatchObject({
      code: 'ASSET_HOST_NOT_ALLOWED',
    });
    routes['/away'] = (_q, s) => s.writeHead(302, { location: 'http://evil.test/a.png' }).end();
    expect(await failure(get('/away', { allowedHosts: ['127.0.0.1'] }))).toMatchObject({
      code: 'ASSET_HOST_NOT_ALLOWED',
    });
  });

  it('deletes the partial file when the connection drops mid-body, as a retryable network error', async () => {
    routes['/drop'] = (_q, s) => {
      s.writeHead(200, { 'content-length': String(PAYLOAD.length * 2) });
      s.write(PAYLOAD);
      setTimeout(() => s.socket?.destroy(), 20);
    };
    const err = await failure(get(`/drop?${SIG}`));
    expect(err).toMatchObject({ code: 'ASSET_NETWORK', retryable: true });
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });

  it('stops when our signal aborts', async () => {
    const err = await failure(get('/a.png', { signal: AbortSignal.abort() }));
    expect(err).toMatchObject({ code: 'ASSET_ABORTED', retryable: false });
  });
});
