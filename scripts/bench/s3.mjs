// Scenario "s3": what shared storage costs. The same N rows run twice on one stack, once on a local folder and once
// on S3-compatible storage (a Versity S3 Gateway started for the run), with a counting proxy between the worker and
// the gateway. Reports the S3 requests per row by kind (output uploads apart) and the wall time S3 adds per row.
import { createServer, request as httpRequest } from 'node:http';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DEMO_LAMINA_APP_ID } from '../../dist/simulator/index.js';
import { S3Storage, s3ClientFromEnv } from '../../dist/storage/index.js';
import { chaosStorage } from '../chaos/storage.mjs';
import { batchInput, expectAllSucceeded, startStack, writeManifest } from './common.mjs';
import { round } from './proc.mjs';

const KINDS = ['PUT', 'GET', 'LIST', 'HEAD', 'DELETE', 'MULTIPART'];

export async function s3Requests({ rows, concurrency, durationMs }) {
  const { dir, path } = await writeManifest(rows);
  const storage = await chaosStorage('s3', { dir, log: (line) => console.error(`s3: ${line}`) });
  const gateway = storage.withEnv({});
  const proxy = await countingProxy(gateway.AWS_ENDPOINT_URL_S3);
  // The worker process inherits this environment: its S3 client goes through the proxy.
  const saved = { ...process.env };
  Object.assign(process.env, gateway, { AWS_ENDPOINT_URL_S3: proxy.url });
  const stack = await startStack({ runDurationMs: durationMs }).finally(() => {
    for (const name of Object.keys(gateway)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  try {
    const run = async (label, input) => {
      console.error(`s3: ${rows} rows on ${label} at concurrency ${concurrency}…`);
      const t0 = performance.now();
      const handle = await stack.client.workflow.start('batchWorkflow', {
        workflowId: input.batchId,
        taskQueue: stack.taskQueue,
        args: [input],
      });
      const result = await handle.result();
      expectAllSucceeded(`s3 (${label})`, result, rows);
      return (performance.now() - t0) / 1000;
    };
    const base = { manifest: path, dir, concurrency, app: DEMO_LAMINA_APP_ID };
    const localSeconds = await run('a local folder', batchInput({ ...base, batchId: `bench-local-${Date.now()}` }));

    const batchId = `bench-s3-${Date.now()}`;
    const location = `${storage.location('').replace(/\/$/, '')}/${batchId}`;
    const target = new S3Storage(location, s3ClientFromEnv(gateway));
    const writer = await target.createWriter('source/manifest.csv');
    await pipeline(createReadStream(path), writer.stream);
    await writer.commit();
    proxy.reset();
    const input = batchInput({ ...base, batchId });
    const s3Seconds = await run('S3', {
      ...input,
      storage: location,
      source: { ...input.source, key: 'source/manifest.csv' },
    });
    const counts = proxy.counts();
    const perRow = (n) => round(n / rows, 2);
    const besideOutputs = KINDS.reduce((sum, k) => sum + counts.other[k], 0);
    const outputs = KINDS.reduce((sum, k) => sum + counts.outputs[k], 0);
    return {
      rows,
      concurrency,
      runSeconds: durationMs / 1000,
      localSeconds: round(localSeconds),
      s3Seconds: round(s3Seconds),
      addedMsPerRow: round(((s3Seconds - localSeconds) * 1000) / rows, 1),
      requestsPerRow: Object.fromEntries(KINDS.map((k) => [k, perRow(counts.other[k])])),
      requestsPerRowBesideOutputs: perRow(besideOutputs),
      outputUploadRequestsPerRow: perRow(outputs),
      meanRequestMs: round(counts.totalMs / Math.max(1, counts.total), 1),
      millionRowRequests: Math.round((besideOutputs / rows) * 1_000_000),
    };
  } finally {
    await stack.close();
    await proxy.close();
    await storage.stop();
  }
}

/** An HTTP proxy in front of the gateway that counts S3 requests by kind, output uploads (outputs/…) apart. */
async function countingProxy(upstream) {
  const target = new URL(upstream);
  let counts = fresh();
  const server = createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://proxy');
    const kind = kindOf(req.method ?? 'GET', url);
    const bucket = /\/outputs\//.test(url.pathname) ? counts.outputs : counts.other;
    bucket[kind] += 1;
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => {
          counts.total += 1;
          counts.totalMs += performance.now() - started;
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    reset: () => (counts = fresh()),
    counts: () => counts,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function fresh() {
  const zero = () => Object.fromEntries(KINDS.map((k) => [k, 0]));
  return { other: zero(), outputs: zero(), total: 0, totalMs: 0 };
}

/** The S3 operation of a path-style request. */
function kindOf(method, url) {
  const q = url.searchParams;
  if (method === 'HEAD') return 'HEAD';
  if (method === 'DELETE' || (method === 'POST' && q.has('delete'))) return 'DELETE';
  if (method === 'POST' || q.has('uploadId') || q.has('uploads')) return 'MULTIPART';
  if (method === 'PUT') return 'PUT';
  const keyless = url.pathname.split('/').filter(Boolean).length <= 1;
  return q.has('list-type') || keyless ? 'LIST' : 'GET';
}
