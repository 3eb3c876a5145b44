import { WorkflowFailedError } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thisHost } from '../../src/storage/index.js';
import { batchInput, startBatch, startHarness, uniqueId, writeManifest, type Harness } from '../helpers/harness.js';
import { runCli } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

describe("a batch whose data is on another host's disk", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('storage-host', { runDurationMs: { min: 100, max: 200 } });
    await h.startWorker();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('fails at once on a worker of this host, naming both hosts and the fix, and creates no run', async () => {
    const manifest = await writeManifest(h.dir, 5);
    const batchId = uniqueId('elsewhere');
    const folder = join(h.dir, 'data', batchId);
    // What `run` on a host called build-box-7 records: its folder, on its disk.
    const input = { ...batchInput(h, manifest, batchId), storage: `file://build-box-7${folder}` };
    const err: unknown = await (await startBatch(h, input)).result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as Error & { type?: string };
    expect(cause.type).toBe('StorageOnAnotherHost');
    expect(cause.message).toContain(`on host build-box-7, and this is host ${thisHost()}`);
    expect(cause.message).toContain('--storage s3://bucket/prefix');
    expect(h.sim.counters().runsCreated).toBe(0);
    expect(existsSync(folder)).toBe(false); // this worker wrote nothing in a folder of that path either
  });

  it("answers `results` on this host with the same message when the batch's folder is on another host", async () => {
    const manifest = await writeManifest(h.dir, 2);
    const batchId = uniqueId('results-elsewhere');
    const input = batchInput(h, manifest, batchId);
    // A finished batch whose memo, as `run` on build-box-7 writes it, says its data is on build-box-7.
    const handle = await h.client.workflow.start('batchWorkflow', {
      workflowId: batchId,
      taskQueue: h.taskQueue,
      args: [input],
      memo: { storage: `file://build-box-7${input.storage}` },
    });
    await handle.result();
    const env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_NAMESPACE: 'default' };
    const answer = await runCli(['results', batchId], env, { cwd: h.dir });
    expect(answer.code, answer.output).toBe(3);
    expect(answer.output).toContain(`on host build-box-7, and this is host ${thisHost()}`);
    expect(answer.output).not.toContain('a bug');
  });
});
