import { WorkflowFailedError } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thisHost } from '../../src/storage/index.js';
import { batchInput, startBatch, startHarness, uniqueId, writeManifest, type Harness } from '../helpers/harness.js';

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
});
