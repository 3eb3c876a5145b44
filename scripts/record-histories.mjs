#!/usr/bin/env node
// Records the workflow histories that test/integration/replay.test.ts replays, so that every change to workflow
// code is checked against histories made by the code before it. Run after `npm run build`, with a Temporal server:
//   TEMPORAL_ADDRESS=127.0.0.1:7233 node scripts/record-histories.mjs [label]
// The server needs durabatch's search attributes (the embedded dev server and `durabatch demo` register them).
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { NativeConnection } from '@temporalio/worker';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedrive } from '../dist/cli/commands/redrive.js';
import { startReceiverForTemporal } from '../dist/cli/webhook-receiver.js';
import { pauseUpdate, resumeUpdate, setConcurrencyUpdate } from '../dist/shared/messages.js';
import { DEMO_LAMINA_APP_ID, startSimulator } from '../dist/simulator/index.js';
import { createWorker } from '../dist/worker.js';

const label = process.argv[2] ?? 'v1';
const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const key = 'lma_sim_record_key';
const out = new URL(`../test/histories/${label}/`, import.meta.url);

const sim = await startSimulator({
  port: 0,
  seed: 3,
  runDurationMs: { min: 200, max: 400 },
  lamina: { apiKey: key },
  // Streams that meet their timeout event mid-run, and webhooks that are sometimes lost or repeated.
  stream: { pingIntervalMs: 100, timeoutMs: 300 },
  webhooks: { lostRate: 0.3, duplicateRate: 0.3, retryDelaysMs: [100] },
});
const dir = await mkdtemp(join(tmpdir(), 'durabatch-record-'));
const taskQueue = `record-${Date.now()}`;
const env = { ...process.env, LAMINA_BASE_URL: sim.url, LAMINA_API_KEY: key };
const nativeConnection = await NativeConnection.connect({ address });
const worker = await createWorker({ connection: nativeConnection, namespace: 'default', taskQueue, env });
const running = worker.run();
const connection = await Connection.connect({ address });
const client = new Client({ connection });
const receiver = await startReceiverForTemporal({ client, host: '127.0.0.1', port: 0, env, log: () => {} });
/**
 * Runs one batch to its end and returns the workflow ids whose histories are kept; `during(handle)` may act on the
 * running batch (updates), `after(batchId)` on the finished one (a redrive).
 */
async function runBatch(name, csv, options, keep, { during, after } = {}) {
  const manifestPath = join(dir, `${name}.csv`);
  await writeFile(manifestPath, csv);
  const batchId = `record-${label}-${name}-${Date.now()}`;
  const { maxFailures, concurrency: _c, ...item } = options;
  const handle = await client.workflow.start('batchWorkflow', {
    workflowId: batchId,
    taskQueue,
    args: [
      {
        batchId,
        source: { location: manifestPath, name: `${name}.csv` },
        storage: join(dir, 'data', name),
        manifest: { keyColumn: 'sku', omit: [], map: {} },
        tuning: { concurrency: options.concurrency ?? 2, pageSize: 2, ...(maxFailures ? { maxFailures } : {}) },
        item: {
          provider: 'lamina',
          app: DEMO_LAMINA_APP_ID,
          waitSeconds: 5,
          itemTimeoutMs: 60000,
          onAmbiguousSubmit: 'hold',
          ...item,
        },
      },
    ],
  });
  await during?.(handle);
  await handle.result();
  await after?.(batchId);
  return [batchId, `${batchId}/p0`, ...keep.map((k) => `${batchId}/${k}`)];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the workflow a schedule's action starts, under a fire's workflow id, and keeps its batch's histories. */
async function runScheduledFire(csv, keep) {
  const manifestPath = join(dir, 'fired.csv');
  await writeFile(manifestPath, csv);
  const schedule = `record-${label}`;
  const fireId = `schedule-${schedule}-${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
  const handle = await client.workflow.start('scheduledBatchWorkflow', {
    workflowId: fireId,
    taskQueue,
    args: [
      {
        schedule,
        source: { location: manifestPath, name: 'fired.csv' },
        dataRoot: join(dir, 'data', 'fired'),
        settings: {
          manifest: { keyColumn: 'sku', omit: [], map: {} },
          tuning: { concurrency: 2, pageSize: 2 },
          item: {
            provider: 'lamina',
            app: DEMO_LAMINA_APP_ID,
            waitSeconds: 5,
            itemTimeoutMs: 60000,
            onAmbiguousSubmit: 'hold',
          },
        },
      },
    ],
  });
  const result = await handle.result();
  return [fireId, result.batchId, `${result.batchId}/p0`, ...keep.map((k) => `${result.batchId}/${k}`)];
}

const ids = [
  // Every path of a normal batch: continue-as-new per page, a failed row.
  ...(await runBatch(
    'plain',
    'sku,Prompt\nA,a red chair\nB,a blue chair [sim:fail]\nC,a green chair\nD,a pink chair\nE,a gold chair\n',
    {},
    ['A', 'B'],
  )),
  // A batch stopped by --max-failures: the stop signal, cancelled rows (and their provider runs), skipped rows.
  ...(await runBatch(
    'stopped',
    'sku,Prompt\nS1,fails fast [sim:fail] [sim:duration=100]\nS2,slow [sim:duration=3000]\nS3,slow [sim:duration=3000]\nS4,never starts\nS5,never starts\n',
    { maxFailures: '0', concurrency: 3 },
    ['S1', 'S2'],
  )),
  // --delivery stream: progress on the heartbeat, the stream's timeout event, reconnects.
  ...(await runBatch(
    'stream',
    'sku,Prompt\nT1,streamed [sim:duration=900]\nT2,streamed fast\nT3,streamed fails [sim:fail]\n',
    { delivery: 'stream' },
    ['T1', 'T3'],
  )),
  // --delivery webhook: the webhookArrived update, duplicates, and the fallback read for a lost webhook.
  ...(await runBatch(
    'webhook',
    'sku,Prompt\nW1,hooked\nW2,hooked [sim:duration=600]\nW3,hooked fails [sim:fail]\nW4,hooked\n',
    { delivery: 'webhook', webhookBaseUrl: receiver.url, webhookFallbackMs: 1500 },
    ['W1', 'W2', 'W3', 'W4'],
  )),
  // Live control: pause while rows run, resize, resume.
  ...(await runBatch(
    'controlled',
    'sku,Prompt\nC1,a [sim:duration=800]\nC2,b [sim:duration=800]\nC3,c\nC4,d\nC5,e\nC6,f\n',
    { concurrency: 2 },
    ['C1', 'C5'],
    {
      async during(handle) {
        await sleep(300);
        await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'recording' }] });
        await sleep(1500);
        await handle.executeUpdate(setConcurrencyUpdate, { args: [3] });
        await handle.executeUpdate(resumeUpdate);
      },
    },
  )),
  // A redrive: the failed row runs again in the next generation (and fails again: its marker stays).
  ...(await runBatch('redriven', 'sku,Prompt\nR1,fine\nR2,broken [sim:fail]\nR3,fine\n', {}, ['R1', 'R2'], {
    async after(batchId) {
      const again = await startRedrive(client, taskQueue, batchId, ['failed']);
      await again.result();
    },
  })),
  // --delivery poll: status reads at the provider's pace.
  ...(await runBatch('poll', 'sku,Prompt\nP1,polled\n', { delivery: 'poll' }, ['P1'])),
  // A schedule's fire: the scheduled workflow derives the batch id and runs the batch as its child.
  ...(await runScheduledFire('sku,Prompt\nF1,fired\nF2,fired too\n', ['F1'])),
];
await mkdir(out, { recursive: true });
let n = 0;
const index = {};
for (const id of ids) {
  for await (const wf of client.workflow.list({ query: `WorkflowId="${id}"` })) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const name = `${String(n++).padStart(2, '0')}-${wf.type}.json`;
    await writeFile(new URL(name, out), historyToJSON(history));
    index[name] = wf.workflowId;
  }
}
await writeFile(new URL('index.json', out), JSON.stringify(index, null, 2) + '\n');
await receiver.close();
worker.shutdown();
await running;
await nativeConnection.close();
await connection.close();
await sim.close();
await rm(dir, { recursive: true, force: true });
console.log(`recorded ${n} histories into test/histories/${label}/`);
