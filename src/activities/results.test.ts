import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportResultsInput, ExportResultsOutput } from './contracts.js';
import { MANIFEST_FILE, OUTPUTS_DIR } from '../storage/index.js';
import { exportResults } from './results.js';

describe('exportResults', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'durabatch-export-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies finished outputs to --out and leaves the part files of downloads that never finished behind', async () => {
    const storage = join(dir, 'batch');
    const rowOutputs = join(storage, OUTPUTS_DIR, 'A');
    await mkdir(rowOutputs, { recursive: true });
    await writeFile(join(storage, MANIFEST_FILE), JSON.stringify({ row: 1, key: 'A', id: 'A', inputs: {} }) + '\n');
    await writeFile(join(rowOutputs, '0.png'), 'image');
    // What a worker killed in the middle of a download leaves: its own part file, beside the finished output.
    await writeFile(join(rowOutputs, '0.png.4f2a9c01d3e5.part'), 'ima');

    const out = join(dir, 'out');
    const input: ExportResultsInput = {
      spec: {
        batchId: 'b1',
        source: { location: join(dir, 'm.csv'), name: 'm.csv' },
        storage,
        manifest: { omit: [], map: {} },
        item: { provider: 'lamina', app: 'app-1', waitSeconds: 60, itemTimeoutMs: 60_000, onAmbiguousSubmit: 'hold' },
        tuning: { concurrency: 1, pageSize: 200, outDir: out },
      },
    };
    const result: ExportResultsOutput = await new MockActivityEnvironment().run(exportResults, input);

    expect(result.rowCount).toBe(1);
    expect(result.counts.skipped).toBe(1);
    expect(await readdir(join(out, OUTPUTS_DIR, 'A'))).toEqual(['0.png']);
    expect(await readFile(join(out, OUTPUTS_DIR, 'A', '0.png'), 'utf8')).toBe('image');
    const line = JSON.parse((await readFile(join(out, 'results.jsonl'), 'utf8')).trim()) as { key: string };
    expect(line.key).toBe('A');
  });
});
