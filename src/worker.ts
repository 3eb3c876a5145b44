import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities/index.js';
import { connectionOptions, maxAssetBytes, secretValues, type TemporalSettings } from './config.js';
import { createAdapter } from './providers/index.js';
import type { ProviderAdapter } from './providers/types.js';
import type { ProviderName } from './shared/constants.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;

/** The workflow code, bundled once per process (from dist/ or, under tests, from src/). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietLogger });
  return bundle;
}

function workflowsPath(): string {
  for (const ext of ['.js', '.ts']) {
    const path = fileURLToPath(new URL(`./workflows/index${ext}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('workflow sources not found next to worker module');
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  env?: NodeJS.ProcessEnv;
  /** Concurrent activity slots: long-polls are mostly idle, so this can be several times the concurrency. */
  maxConcurrentActivities?: number;
}

/**
 * A durabatch worker: runs the batch, partition and item workflows and every activity. Provider credentials
 * come from `env` (the worker's environment) and nowhere else.
 */
export async function createWorker(opts: WorkerOptions): Promise<Worker> {
  const env = opts.env ?? process.env;
  const adapters = new Map<ProviderName, ProviderAdapter>();
  const activities = createActivities({
    adapterFor(provider) {
      let adapter = adapters.get(provider);
      if (!adapter) adapters.set(provider, (adapter = createAdapter(provider, env)));
      return adapter;
    },
    secrets: secretValues(env),
    maxAssetBytes: maxAssetBytes(env),
  });
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? 400,
    maxConcurrentWorkflowTaskExecutions: 100,
    maxConcurrentActivityTaskPolls: 10,
    maxConcurrentWorkflowTaskPolls: 10,
  });
}

/** Opens the worker's connection to Temporal with the same settings as the client. */
export async function connectWorker(settings: TemporalSettings & { address: string }): Promise<NativeConnection> {
  return NativeConnection.connect(await connectionOptions(settings));
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
