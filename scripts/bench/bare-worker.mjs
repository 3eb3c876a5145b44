#!/usr/bin/env node
// The worker of the bare baseline (scripts/bench/bare-workflows.js): its own process, so that its CPU is
// measured apart from durabatch's worker, with the same slot and poller settings as src/worker.ts.
//   TEMPORAL_ADDRESS=host:port BENCH_TASK_QUEUE=q node scripts/bench/bare-worker.mjs
import { NativeConnection, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';

const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  taskQueue: process.env.BENCH_TASK_QUEUE,
  workflowsPath: fileURLToPath(new URL('./bare-workflows.js', import.meta.url)),
  activities: { touchRow: async ({ row }) => row },
  maxConcurrentActivityTaskExecutions: 400,
  maxConcurrentWorkflowTaskExecutions: 100,
  maxConcurrentActivityTaskPolls: 10,
  maxConcurrentWorkflowTaskPolls: 10,
});
process.once('SIGTERM', () => worker.shutdown());
const running = worker.run();
console.error(`bare worker on ${process.env.BENCH_TASK_QUEUE}`);
await running;
await connection.close();
