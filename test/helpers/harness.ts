import { Client, Connection } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installLogging } from '../../src/logging.js';
import { BATCH_ID_KEY, PROVIDER_KEY } from '../../src/shared/search-attributes.js';
import type { BatchWorkflowInput } from '../../src/shared/batch-contract.js';
import type { BatchTuning, ItemSettings, ManifestSpec } from '../../src/shared/batch-spec.js';
import type { ResultLine } from '../../src/shared/results-format.js';
import {
  DEMO_LAMINA_APP_ID,
  startSimulator,
  type SimulatorHandle,
  type SimulatorOptions,
} from '../../src/simulator/index.js';
import { createWorker } from '../../src/worker.js';
import type { batchWorkflow } from '../../src/workflows/index.js';
import { temporalAddress } from './temporal-env.js';

/** A distinctive key: tests look for it everywhere it must never appear. */
export const TEST_LAMINA_KEY = 'lma_test_SECRET_5f1e9b2c7d4a8e3f';
export const TEST_ARTU_KEY = 'artu_test_SECRET_8c2d4e6f1a3b5c7d';
export const TEST_MAGNIFIC_KEY = 'mgn_test_SECRET_2b4d6f8a1c3e5a7b';

export interface Harness {
  client: Client;
  sim: SimulatorHandle;
  dir: string;
  taskQueue: string;
  env: NodeJS.ProcessEnv;
  startWorker(): Promise<Worker>;
  stop(): Promise<void>;
}

/**
 * Real simulator on port 0, a client on the run's Temporal server (or the one at `opts.address`), a temp dir, and
 * workers on demand.
 */
export async function startHarness(
  taskQueue: string,
  sim: SimulatorOptions = {},
  opts: { address?: string } = {},
): Promise<Harness> {
  const address = opts.address ?? temporalAddress();
  installLogging({
    file: fileURLToPath(new URL('../../.temporal/logs/test-workers.log', import.meta.url)),
    secrets: [TEST_LAMINA_KEY],
  });
  const simulator = await startSimulator({
    port: 0,
    seed: 1,
    lamina: { apiKey: TEST_LAMINA_KEY },
    artu: { apiKey: TEST_ARTU_KEY },
    magnific: { apiKey: TEST_MAGNIFIC_KEY },
    ...sim,
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const dir = await mkdtemp(join(tmpdir(), `durabatch-${taskQueue}-`));
  const env = {
    ...process.env,
    LAMINA_BASE_URL: simulator.url,
    LAMINA_API_KEY: TEST_LAMINA_KEY,
    ARTU_BASE_URL: simulator.url,
    ARTU_API_KEY: TEST_ARTU_KEY,
    ARTU_ENVIRONMENT: 'test',
    MAGNIFIC_BASE_URL: simulator.url,
    MAGNIFIC_API_KEY: TEST_MAGNIFIC_KEY,
  };
  const workers: { worker: Worker; done: Promise<void>; conn: NativeConnection }[] = [];
  return {
    client,
    sim: simulator,
    dir,
    taskQueue,
    env,
    async startWorker() {
      const conn = await NativeConnection.connect({ address });
      const worker = await createWorker({ connection: conn, namespace: 'default', taskQueue, env });
      workers.push({ worker, done: worker.run(), conn });
      return worker;
    },
    async stop() {
      for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
      for (const w of workers) {
        await w.done.catch(() => undefined);
        await w.conn.close();
      }
      await connection.close();
      await simulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ManifestRow {
  sku: string;
  Prompt: string;
  Style?: string;
}

/** Writes a CSV manifest for the demo app: `rows` rows, with `[sim:fail]` in the prompts of `failRows`. */
export async function writeManifest(
  dir: string,
  rows: number,
  opts: { failRows?: number[]; name?: string } = {},
): Promise<string> {
  const fail = new Set(opts.failRows ?? []);
  const lines = ['sku,Prompt,Style'];
  for (let i = 1; i <= rows; i++) {
    const prompt = `product ${i}, studio light${fail.has(i) ? ' [sim:fail]' : ''}`;
    lines.push(`SKU-${i},"${prompt}",${i % 3 === 0 ? 'Watercolor' : 'Photoreal'}`);
  }
  const path = join(dir, opts.name ?? 'manifest.csv');
  await writeFile(path, lines.join('\r\n') + '\r\n');
  return path;
}

/** The inputs the simulator sees for manifest row `i` of writeManifest (for fingerprints). */
export function rowInputs(i: number, failRows: number[] = []): Record<string, unknown> {
  const prompt = `product ${i}, studio light${failRows.includes(i) ? ' [sim:fail]' : ''}`;
  return { Prompt: prompt, Style: i % 3 === 0 ? 'Watercolor' : 'Photoreal' };
}

/**
 * A batch's input for tests. `overrides` takes the tuning and manifest-spec fields flat (concurrency, pageSize,
 * maxFailures, keyColumn, omit, map …): a test names what it changes, and this puts it where the spec keeps it.
 */
export function batchInput(
  h: Harness,
  manifestPath: string,
  batchId: string,
  overrides: Partial<BatchTuning> & Partial<ManifestSpec> = {},
  item: Partial<ItemSettings> = {},
): BatchWorkflowInput {
  const { format, keyColumn, omit, map, ...tuning } = overrides;
  return {
    batchId,
    source: { location: manifestPath, name: basename(manifestPath) },
    storage: join(h.dir, 'data', batchId),
    manifest: {
      keyColumn: keyColumn ?? 'sku',
      omit: omit ?? [],
      map: map ?? {},
      ...(format ? { format } : {}),
    },
    tuning: { concurrency: 20, pageSize: 50, ...tuning },
    item: {
      provider: 'lamina',
      app: DEMO_LAMINA_APP_ID,
      waitSeconds: 5,
      itemTimeoutMs: 600_000,
      onAmbiguousSubmit: 'hold',
      ...item,
    },
  };
}

export async function startBatch(h: Harness, input: BatchWorkflowInput) {
  return h.client.workflow.start<typeof batchWorkflow>('batchWorkflow', {
    workflowId: input.batchId,
    taskQueue: h.taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [
      { key: BATCH_ID_KEY, value: input.batchId },
      { key: PROVIDER_KEY, value: 'lamina' },
    ],
  });
}

/** A unique id per test run, so reruns against one server never collide. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The lines of a results.jsonl file. */
export async function readResults(path: string): Promise<ResultLine[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ResultLine);
}
