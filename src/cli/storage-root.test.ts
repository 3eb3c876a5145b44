import { describe, expect, it } from 'vitest';
import { thisHost } from '../storage/index.js';
import { batchStorage, storageRoot } from './storage-root.js';

describe('where batches live', () => {
  it('is a folder of this host by default, or what --storage, --data-dir or DURABATCH_STORAGE says', () => {
    const host = thisHost();
    expect(storageRoot({}, {}, '/work/m')).toBe(`file://${host}/work/m/.durabatch`);
    expect(storageRoot({ dataDir: '/data' }, {}, '/work/m')).toBe(`file://${host}/data`);
    expect(storageRoot({ storage: 's3://bucket/team/' }, {}, '/w')).toBe('s3://bucket/team');
    expect(storageRoot({ storage: 'shared:/mnt/batches' }, {}, '/w')).toBe('shared:/mnt/batches');
    expect(storageRoot({}, { DURABATCH_STORAGE: 's3://b' }, '/w')).toBe('s3://b');
    expect(() => storageRoot({ storage: '/a', dataDir: '/b' }, {}, '/w')).toThrow(/not both/);
    expect(() => storageRoot({ storage: 'gs://bucket' }, {}, '/w')).toThrow(/s3:\/\/bucket\/prefix/);
    expect(() => storageRoot({ storage: 's3://' }, {}, '/w')).toThrow(/--storage/);
  });

  it("puts each batch in a folder or prefix of its own, of the root's kind", () => {
    expect(batchStorage('s3://bucket/team', 'b1')).toBe('s3://bucket/team/b1');
    expect(batchStorage('file://h1/data', 'b1')).toBe('file://h1/data/b1');
    expect(batchStorage('shared:/mnt/x', 'b1')).toBe('shared:/mnt/x/b1');
  });
});
