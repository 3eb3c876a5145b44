import { describe, expect, it } from 'vitest';
import { batchInputOf, itemInputOf, partitionInputOf, scheduledInputOf } from './legacy-inputs.js';
import { emptyCounts } from './status.js';

const item = {
  provider: 'lamina' as const,
  app: 'a1',
  waitSeconds: 5,
  itemTimeoutMs: 60_000,
  onAmbiguousSubmit: 'hold' as const,
};

describe('inputs written by 0.1', () => {
  it('become a batch spec: identity beside the manifest spec, item settings and tuning', () => {
    const spec = batchInputOf({
      batchId: 'b1',
      manifestPath: '/m/rows.csv',
      manifestName: 'rows.csv',
      keyColumn: 'sku',
      omit: ['x'],
      map: {},
      concurrency: 8,
      pageSize: 50,
      maxFailures: '2',
      item: { ...item, storage: '/data/b1', reportFailures: true },
      redrive: { statuses: ['failed'] },
    });
    expect(spec).toEqual({
      batchId: 'b1',
      source: { location: '/m/rows.csv', name: 'rows.csv' },
      storage: '/data/b1',
      manifest: { keyColumn: 'sku', omit: ['x'], map: {} },
      item,
      tuning: { concurrency: 8, pageSize: 50, maxFailures: '2' },
      redrive: { statuses: ['failed'] },
    });
    // A spec already in today's shape passes through untouched.
    expect(batchInputOf(spec)).toBe(spec);
  });

  it('keep what a partition, a row and a schedule need', () => {
    const partition = partitionInputOf({
      batchId: 'b1',
      partition: 1,
      firstRow: 11,
      lastRow: 20,
      window: 4,
      pageSize: 5,
      item: { ...item, storage: '/data/b1' },
      partitionCount: 2,
      reportFailures: true,
      state: { nextRow: 13, counts: emptyCounts(), inFlight: { r11: 11 } },
    });
    expect(partition.plan).toEqual({ partition: 1, firstRow: 11, lastRow: 20, window: 4 });
    expect(partition.spec).toMatchObject({ batchId: 'b1', storage: '/data/b1', item, tuning: { pageSize: 5 } });
    expect(partition.spec.tuning.maxFailures).toBeDefined();
    expect(partition.state?.nextRow).toBe(13);

    const row = itemInputOf({
      batchId: 'b1',
      partitionWorkflowId: 'b1/p1',
      row: 11,
      id: 'r11',
      key: 'R11',
      settings: { ...item, storage: '/data/b1' },
    });
    expect(row).toEqual({
      batch: { batchId: 'b1', storage: '/data/b1' },
      partitionWorkflowId: 'b1/p1',
      row: 11,
      id: 'r11',
      key: 'R11',
      settings: item,
    });

    const fire = scheduledInputOf({
      schedule: 'nightly',
      manifest: 'https://x.example/m.csv',
      manifestName: 'm.csv',
      dataRoot: '/data',
      batch: { omit: [], map: {}, concurrency: 3, pageSize: 200, outDir: '/out', item },
    });
    expect(fire).toEqual({
      schedule: 'nightly',
      source: { location: 'https://x.example/m.csv', name: 'm.csv' },
      dataRoot: '/data',
      settings: { manifest: { omit: [], map: {} }, item, tuning: { concurrency: 3, pageSize: 200, outDir: '/out' } },
    });
  });
});
