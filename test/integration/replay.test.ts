import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../src/worker.js';

const HISTORIES = fileURLToPath(new URL('../histories/', import.meta.url));

async function committedHistories(): Promise<{ name: string; json: unknown }[]> {
  const found: { name: string; json: unknown }[] = [];
  for (const version of await readdir(HISTORIES)) {
    for (const file of (await readdir(`${HISTORIES}${version}`)).filter((f) => f.endsWith('.json')).sort()) {
      found.push({ name: `${version}/${file}`, json: JSON.parse(await readFile(`${HISTORIES}${version}/${file}`, 'utf8')) });
    }
  }
  return found;
}

describe('determinism', () => {
  it('replays every committed batch, partition and item history with the current workflow code', async () => {
    const histories = await committedHistories();
    expect(histories.length).toBeGreaterThanOrEqual(4);
    const types = new Set<string>();
    const bundle = await workflowBundle();
    for (const { name, json } of histories) {
      const history = historyFromJSON(json);
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      types.add(started?.workflowType?.name ?? '?');
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, name), name).resolves.toBeUndefined();
    }
    expect([...types].sort()).toEqual(['batchWorkflow', 'itemWorkflow', 'partitionWorkflow']);
  });
});
