import { describe, expect, it } from 'vitest';
import { exportInputOf, prepareInputOf, rowStorage } from './legacy-inputs.js';

const item = {
  provider: 'lamina' as const,
  app: 'a1',
  waitSeconds: 5,
  itemTimeoutMs: 60_000,
  onAmbiguousSubmit: 'hold' as const,
};

describe('activity tasks scheduled by 0.1', () => {
  it("find a row's storage where 0.1 put it, and today's where it is now", () => {
    expect(rowStorage({ storage: '/data/b1', settings: item })).toBe('/data/b1');
    expect(rowStorage({ settings: { ...item, storage: '/data/old' } })).toBe('/data/old');
    expect(() => rowStorage({ settings: item })).toThrow(/no storage folder/);
  });

  it('prepare and export the batch they name', () => {
    const { spec } = prepareInputOf({
      batchId: 'b1',
      manifestPath: '/m/rows.csv',
      format: 'csv',
      keyColumn: 'sku',
      omit: ['x'],
      map: { a: 'A' },
      provider: 'artu',
      app: 'wf',
      storage: '/data/b1',
    });
    expect(spec).toMatchObject({
      batchId: 'b1',
      source: { location: '/m/rows.csv', name: 'rows.csv' },
      storage: '/data/b1',
      manifest: { format: 'csv', keyColumn: 'sku', omit: ['x'], map: { a: 'A' } },
      item: { provider: 'artu', app: 'wf' },
    });
    const exported = exportInputOf({
      batchId: 'b1',
      stopped: 'cancelled',
      storage: '/data/b1',
      outDir: '/out',
      provider: 'lamina',
      app: 'a1',
      maxFailures: '3',
    });
    expect(exported.stopped).toBe('cancelled');
    expect(exported.spec.tuning).toMatchObject({ maxFailures: '3', outDir: '/out' });
    expect(exported.spec.storage).toBe('/data/b1');
  });
});
