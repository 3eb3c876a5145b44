import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { findProjectRoot, isExecutableFile } from '../../src/temporal/executables.js';
import { freePort, httpAnswers } from '../../src/temporal/server-probe.js';
import { killGroup, spawnProcess, waitFor } from './processes.js';

/** A running Versity S3 Gateway on 127.0.0.1 with a posix backend in a temp dir, and its root credentials. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`; clients need path-style addressing (`forcePathStyle: true`). */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: 'us-east-1';
  /** The backend's top folder: each bucket is a subfolder, each object a file below it. */
  dir: string;
  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ENDPOINT_URL_S3 for a child process. */
  env(): Record<string, string>;
  /** Creates a bucket through the S3 API (CreateBucket), owned by the root user. */
  createBucket(name: string): Promise<void>;
  /** Kills the gateway's process group and removes `dir`. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/**
 * Starts the Versity S3 Gateway (`versitygw posix`) on a free port with random root credentials, in its own process
 * group, and resolves once it answers HTTP. The executable is `VERSITYGW_PATH`, else the project cache
 * `.temporal/bin/versitygw`; when neither exists it throws (a storage test must fail, not skip, without it).
 */
export async function startS3Server(): Promise<S3Server> {
  const file = await versitygwPath();
  const dir = await mkdtemp(join(tmpdir(), 'durabatch-s3-'));
  const port = await freePort('127.0.0.1');
  const endpoint = `http://127.0.0.1:${String(port)}`;
  const accessKeyId = `durabatch${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(30).toString('base64url');
  const env = { ...process.env, ROOT_ACCESS_KEY: accessKeyId, ROOT_SECRET_KEY: secretAccessKey };
  const gw = spawnProcess(file, ['--port', `127.0.0.1:${String(port)}`, 'posix', dir], env, { detached: true });
  const stop = async (): Promise<void> => {
    await killGroup(gw);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `versitygw to answer at ${endpoint}`,
      async () => {
        if (gw.child.exitCode !== null || gw.child.signalCode !== null) {
          throw new Error(`versitygw exited before it answered:\n${gw.output()}`);
        }
        return httpAnswers(endpoint, 1_000);
      },
      START_TIMEOUT_MS,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    region: 'us-east-1',
    dir,
    env: () => ({
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: endpoint,
    }),
    createBucket: async (name) => {
      const client = new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId, secretAccessKey },
      });
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    stop,
  };
}

async function versitygwPath(): Promise<string> {
  const fromEnv = process.env.VERSITYGW_PATH;
  const file =
    fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(findProjectRoot(), '.temporal', 'bin', 'versitygw');
  if (await isExecutableFile(file)) return file;
  throw new Error(
    `no Versity S3 Gateway at ${file}: run \`bash scripts/install-versitygw.sh\` (it builds one into .temporal/bin) ` +
      'or set VERSITYGW_PATH to a `versitygw` executable',
  );
}
