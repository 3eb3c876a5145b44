import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ITEM_VERSION } from '../../src/workflows/item.js';
import { workflowBundle } from '../../src/worker.js';

const HISTORIES = fileURLToPath(new URL('../histories/', import.meta.url));

/** Every committed history with the workflow id it ran under (workflows derive child ids from their own). */
async function committedHistories(): Promise<{ name: string; workflowId: string; json: unknown }[]> {
  const found: { name: string; workflowId: string; json: unknown }[] = [];
  for (const version of await readdir(HISTORIES)) {
    const index = JSON.parse(await readFile(`${HISTORIES}${version}/index.json`, 'utf8')) as Record<string, string>;
    for (const [file, workflowId] of Object.entries(index)) {
      const json: unknown = JSON.parse(await readFile(`${HISTORIES}${version}/${file}`, 'utf8'));
      found.push({ name: `${version}/${file}`, workflowId, json });
    }
  }
  return found;
}

describe('determinism', () => {
  it('replays every committed batch, partition and item history with the current workflow code', async () => {
    const histories = await committedHistories();
    expect(histories.length).toBeGreaterThanOrEqual(4);
    const types = new Set<string>();
    const itemVersions = new Set<number>();
    const batchShapes = new Set<string>();
    const bundle = await workflowBundle();
    for (const { name, workflowId, json } of histories) {
      const history = historyFromJSON(json);
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      types.add(started?.workflowType?.name ?? '?');
      const input = inputOf(started?.input?.payloads?.[0]?.data);
      if (started?.workflowType?.name === 'itemWorkflow') itemVersions.add(input.version ?? 1);
      if (started?.workflowType?.name === 'batchWorkflow') batchShapes.add('manifestPath' in input ? '0.1' : 'spec');
      await expect(
        Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId),
        name,
      ).resolves.toBeUndefined();
    }
    expect([...types].sort()).toEqual(['batchWorkflow', 'itemWorkflow', 'partitionWorkflow', 'scheduledBatchWorkflow']);
    // Every item version the code still branches on has histories made by it.
    for (let v = 1; v <= ITEM_VERSION; v++) expect([...itemVersions], `item version ${v}`).toContain(v);
    // Both input shapes the workflows take: 0.1's flat settings (converted at entry) and the BatchSpec.
    expect([...batchShapes].sort()).toEqual(['0.1', 'spec']);
  });
});

function inputOf(data: Uint8Array | null | undefined): { version?: number } {
  return JSON.parse(Buffer.from(data ?? []).toString('utf8')) as { version?: number };
}
