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
import { DEMO_LAMINA_APP_ID, startSimulator } from '../dist/simulator/index.js';
import { createWorker } from '../dist/worker.js';

const label = process.argv[2] ?? 'v1';
const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const key = 'lma_sim_record_key';
const out = new URL(`../test/histories/${label}/`, import.meta.url);

const sim = await startSimulator({ port: 0, seed: 3, runDurationMs: { min: 200, max: 400 }, lamina: { apiKey: key } });
const dir = await mkdtemp(join(tmpdir(), 'durabatch-record-'));
const manifest = join(dir, 'manifest.csv');
await writeFile(
  manifest,
  'sku,Prompt\nA,a red chair\nB,a blue chair [sim:fail]\nC,a green chair\nD,a pink chair\nE,a gold chair\n',
);
const taskQueue = `record-${Date.now()}`;
const env = { ...process.env, LAMINA_BASE_URL: sim.url, LAMINA_API_KEY: key };
const nativeConnection = await NativeConnection.connect({ address });
const worker = await createWorker({ connection: nativeConnection, namespace: 'default', taskQueue, env });
const running = worker.run();
const connection = await Connection.connect({ address });
const client = new Client({ connection });
const batchId = `record-${label}-${Date.now()}`;
const handle = await client.workflow.start('batchWorkflow', {
  workflowId: batchId,
  taskQueue,
  args: [
    {
      batchId,
      manifestPath: manifest,
      manifestName: 'manifest.csv',
      keyColumn: 'sku',
      omit: [],
      map: {},
      concurrency: 2,
      pageSize: 2,
      item: {
        provider: 'lamina',
        app: DEMO_LAMINA_APP_ID,
        storage: join(dir, 'data'),
        waitSeconds: 5,
        itemTimeoutMs: 60000,
        onAmbiguousSubmit: 'hold',
      },
    },
  ],
});
await handle.result();
await mkdir(out, { recursive: true });
const ids = [batchId, `${batchId}/p0`, `${batchId}/A`, `${batchId}/B`];
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
worker.shutdown();
await running;
await nativeConnection.close();
await connection.close();
await sim.close();
await rm(dir, { recursive: true, force: true });
console.log(`recorded ${n} histories into test/histories/${label}/`);
