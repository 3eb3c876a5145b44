// Where a chaos batch keeps its data: a local folder (`--data-dir`, the default) or S3-compatible storage served
// by a Versity S3 Gateway (versitygw) that the run starts in its own process group. Either way the harness reads
// the batch through durabatch's own storage code (dist/storage), by key, never by local path.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutableFile } from '../../dist/temporal/executables.js';
import { freePort, httpAnswers } from '../../dist/temporal/server-probe.js';
import { openStorage, S3Storage, s3ClientFromEnv, thisHost } from '../../dist/storage/index.js';
import { killGroup, spawnInGroup } from './processes.mjs';

export const STORAGE_KINDS = ['local', 's3'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const IP = '127.0.0.1';
const REGION = 'us-east-1';
const BUCKET = 'durabatch-chaos';
const PREFIX = 'chaos';
/** AWS settings a developer's shell may carry that would point the SDK elsewhere than the run's own gateway. */
const FOREIGN_AWS = ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_DEFAULT_REGION'];

/**
 * The storage of one chaos run, ready to use: `runArgs` (what `durabatch run` is given), `withEnv(env)` (the
 * environment of the CLI and the workers: unchanged for local, plus the S3 credentials for s3), `secrets` (values
 * that must appear nowhere), `location(batchId)` and `open(batchId)` (the batch's BatchStorage), `describe` (for log
 * lines), `requests()` (the S3 requests the gateway answered, by HTTP status; null for local) and `stop()`.
 */
export async function chaosStorage(kind, { dir, log }) {
  if (kind === 'local') return localStorage(dir);
  if (kind === 's3') return s3Storage(dir, log);
  throw new Error(`unknown storage '${kind}': use ${STORAGE_KINDS.join(' or ')}`);
}

function localStorage(dir) {
  const dataDir = join(dir, 'data');
  const location = (batchId) => `file://${thisHost()}${join(dataDir, batchId)}`;
  return {
    kind: 'local',
    describe: `folder ${dataDir}`,
    runArgs: ['--data-dir', dataDir],
    withEnv: (env) => env,
    secrets: [],
    requests: async () => null,
    location,
    open: (batchId) => openStorage(location(batchId)),
    stop: async () => undefined,
  };
}

async function s3Storage(dir, log) {
  const server = await startVersitygw(dir, log);
  const client = s3ClientFromEnv(server.env);
  try {
    await createBucket(server);
    server.readyAt = server.output().length; // count the batch's requests, not the readiness probe or the bucket
  } catch (err) {
    client.destroy();
    await server.stop();
    throw err;
  }
  const root = `s3://${BUCKET}/${PREFIX}`;
  const location = (batchId) => `${root}/${batchId}`;
  return {
    kind: 's3',
    describe: `${root} on versitygw at ${server.endpoint} (posix backend in ${server.dataDir})`,
    runArgs: ['--storage', root],
    withEnv(env) {
      const out = { ...env, ...server.env };
      for (const name of FOREIGN_AWS) delete out[name];
      return out;
    },
    secrets: [{ name: 'the S3 secret key', value: server.env.AWS_SECRET_ACCESS_KEY }],
    requests: async () => requestsOf(server.output().slice(server.readyAt)),
    location,
    // What openStorage(location) opens, with its client built from the run's S3 environment rather than from this
    // process's own (which keeps the credentials out of every other child's environment).
    open: (batchId) => new S3Storage(location(batchId), client),
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

/** The gateway's executable: VERSITYGW_PATH, else the project cache that scripts/install-versitygw.sh fills. */
async function versitygwPath() {
  const fromEnv = process.env.VERSITYGW_PATH;
  const file = fromEnv ? fromEnv : fileURLToPath(new URL('../../.temporal/bin/versitygw', import.meta.url));
  if (await isExecutableFile(file)) return file;
  throw new Error(
    `no Versity S3 Gateway at ${file}: run \`bash scripts/install-versitygw.sh\` or set VERSITYGW_PATH (needed by --storage s3)`,
  );
}

/** `versitygw posix` on a free port with random root credentials, in its own process group, once it answers. */
async function startVersitygw(dir, log) {
  const file = await versitygwPath();
  const dataDir = join(dir, 's3');
  await mkdir(dataDir, { recursive: true });
  const port = await freePort(IP);
  const endpoint = `http://${IP}:${port}`;
  const accessKeyId = `chaos${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(30).toString('base64url');
  const gwEnv = { ...process.env, ROOT_ACCESS_KEY: accessKeyId, ROOT_SECRET_KEY: secretAccessKey };
  const logFile = join(dir, 'versitygw.log');
  const p = spawnInGroup(file, ['--port', `${IP}:${port}`, 'posix', dataDir], gwEnv, { cwd: dir, logFile });
  const stop = async () => {
    killGroup(p.child, 'SIGTERM');
    const gone = await Promise.race([p.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!gone) killGroup(p.child, 'SIGKILL');
  };
  const deadline = Date.now() + 30_000;
  while (!(await httpAnswers(endpoint, 1_000))) {
    const exited = p.child.exitCode !== null || p.child.signalCode !== null;
    if (exited || Date.now() > deadline) {
      await stop();
      const why = exited ? 'exited before it answered' : 'did not answer within 30 s';
      throw new Error(`versitygw at ${endpoint} ${why} (log: ${logFile})`);
    }
    await sleep(200);
  }
  log(`versitygw pid ${p.child.pid} serving ${endpoint} from ${dataDir}`);
  const env = {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_S3: endpoint,
  };
  return { endpoint, dataDir, env, stop, output: p.output, readyAt: 0 };
}

/** Creates the run's bucket through the S3 API, as a user would on any S3-compatible service. */
async function createBucket(server) {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: server.env.AWS_ACCESS_KEY_ID, secretAccessKey: server.env.AWS_SECRET_ACCESS_KEY },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } finally {
    client.destroy();
  }
}

/**
 * The requests in the gateway's log (`HH:MM:SS | vgw | STATUS | …`), counted by HTTP status: how much S3 traffic the
 * batch made, and whether the gateway answered any with a 5xx. 404s (a key not written yet) and 412s (a
 * create-exclusive that lost) are part of normal work.
 */
function requestsOf(text) {
  const byStatus = {};
  let total = 0;
  for (const m of text.matchAll(/^\S+ \| vgw \| (\d{3}) \|/gm)) {
    total += 1;
    byStatus[m[1]] = (byStatus[m[1]] ?? 0) + 1;
  }
  return { total, byStatus };
}
