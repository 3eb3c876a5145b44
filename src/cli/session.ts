import type { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connectTemporal, TemporalUnavailableError } from '../client.js';
import { secretValues, TemporalConfigError, temporalSettings, type TemporalSettings } from '../config.js';
import { installLogging } from '../logging.js';
import { EMBEDDED_TEMPORAL_PORT, EMBEDDED_UI_PORT } from '../shared/constants.js';
import { findTemporalCli } from '../temporal/cli-path.js';
import { startDevServer, type DevServerHandle } from '../temporal/dev-server.js';
import { connectWorker, createWorker } from '../worker.js';
import { infraError, usageError } from './errors.js';
import { startReceiverForTemporal } from './webhook-receiver.js';

/** A connection to Temporal for one command, with the embedded dev server and worker when there is no cluster. */
export interface Session {
  client: Client;
  settings: TemporalSettings & { address: string };
  embedded: boolean;
  uiUrl: string | null;
  /** The in-process webhook receiver's URL (embedded mode with --delivery webhook), else null. */
  webhookReceiverUrl: string | null;
  /** Resolves or rejects when the in-process worker stops (never settles when there is none). */
  workerDone: Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Run an in-process worker in embedded mode. */
  worker: boolean;
  /** Run the worker against a cluster too (`durabatch worker`). */
  forceWorker?: boolean;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Embedded mode: run the webhook receiver in-process on this port (--delivery webhook). */
  webhookReceiverPort?: number;
}

/** Where embedded mode keeps its dev server database and logs (DURABATCH_HOME, default ./.durabatch). */
export function durabatchHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DURABATCH_HOME ?? '.durabatch');
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  const env = opts.env ?? process.env;
  const base = settingsFrom(env);
  if (base.address) {
    const settings = { ...base, address: base.address };
    const { client, connection } = await connect(settings);
    if (opts.forceWorker) installLogging({ secrets: secretValues(env) });
    const worker = opts.forceWorker ? await startWorker(settings, env) : null;
    return {
      client,
      settings,
      embedded: false,
      uiUrl: null,
      webhookReceiverUrl: null,
      workerDone: worker?.done ?? new Promise(() => undefined),
      async close() {
        await worker?.stop();
        await connection.close();
      },
    };
  }
  return openEmbedded(base, opts, env);
}

interface RunningWorker {
  done: Promise<void>;
  stop(): Promise<void>;
}

async function startWorker(
  settings: TemporalSettings & { address: string },
  env: NodeJS.ProcessEnv,
): Promise<RunningWorker> {
  const connection = await connectWorker(settings);
  const worker: Worker = await createWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    env,
  });
  const done = worker.run();
  let stopped = false;
  return {
    done,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done.catch(() => undefined);
      await connection.close();
    },
  };
}

async function openEmbedded(base: TemporalSettings, opts: SessionOptions, env: NodeJS.ProcessEnv): Promise<Session> {
  const home = durabatchHome(env);
  await mkdir(home, { recursive: true });
  installLogging(
    opts.forceWorker ? { secrets: secretValues(env) } : { file: join(home, 'worker.log'), secrets: secretValues(env) },
  );
  const server = await startEmbeddedServer(home, opts, env);
  const settings = { ...base, address: server.address, namespace: server.namespace };
  const { client, connection } = await connect(settings);
  const worker = opts.worker || opts.forceWorker ? await startWorker(settings, env) : null;
  const receiver =
    opts.webhookReceiverPort === undefined
      ? null
      : await startReceiverForTemporal({
          client,
          host: '127.0.0.1',
          port: opts.webhookReceiverPort,
          env,
          log: (line) => opts.log(`webhooks: ${line}`),
        }).catch((err: unknown) => {
          throw infraError(
            `could not start the webhook receiver on port ${opts.webhookReceiverPort}: ${(err as Error).message} (choose another with --webhook-port)`,
          );
        });
  let closed = false;
  return {
    client,
    settings,
    embedded: true,
    uiUrl: server.uiUrl,
    webhookReceiverUrl: receiver?.url ?? null,
    workerDone: worker?.done ?? new Promise(() => undefined),
    async close() {
      if (closed) return;
      closed = true;
      await receiver?.close();
      await worker?.stop();
      await connection.close();
      await server.stop();
    },
  };
}

async function startEmbeddedServer(
  home: string,
  opts: SessionOptions,
  env: NodeJS.ProcessEnv,
): Promise<DevServerHandle> {
  try {
    const cli = await findTemporalCli({ log: opts.log });
    return await startDevServer({
      cliPath: cli.path,
      dbFile: join(home, 'temporal.db'),
      port: portFrom(env.DURABATCH_TEMPORAL_PORT, EMBEDDED_TEMPORAL_PORT),
      uiPort: portFrom(env.DURABATCH_UI_PORT, EMBEDDED_UI_PORT),
      ui: true,
      // Activities scheduled by a workflow task start on the same worker without another poll round trip.
      dynamicConfig: { 'system.enableActivityEagerExecution': true },
      logFile: join(home, 'temporal.log'),
      log: opts.log,
    });
  } catch (err) {
    throw infraError(`could not start the embedded Temporal dev server: ${(err as Error).message}`);
  }
}

async function connect(
  settings: TemporalSettings & { address: string },
): Promise<{ client: Client; connection: Connection }> {
  try {
    return await connectTemporal(settings);
  } catch (err) {
    if (err instanceof TemporalUnavailableError) throw infraError(err.message);
    if (err instanceof TemporalConfigError) throw usageError(err.message);
    throw err;
  }
}

/** The connection settings; a broken profile, config file or TLS file is a usage error (exit 2). */
function settingsFrom(env: NodeJS.ProcessEnv): TemporalSettings {
  try {
    return temporalSettings(env);
  } catch (err) {
    if (err instanceof TemporalConfigError) throw usageError(err.message);
    throw err;
  }
}

function portFrom(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 && n < 65536 ? n : fallback;
}
