import { describe, expect, it } from 'vitest';
import { LocalStorage } from './local.js';
import { openStorage, StorageElsewhereError, thisHost } from './open.js';
import { S3Storage } from './s3.js';

describe('opening a batch location', () => {
  it("opens a folder on this host, a shared folder and an old plain path anywhere, and another host's folder nowhere", () => {
    expect(openStorage(`file://${thisHost()}/data/b1`)).toBeInstanceOf(LocalStorage);
    expect(openStorage('shared:/mnt/batches/b1').urlOf('results.jsonl')).toBe('/mnt/batches/b1/results.jsonl');
    expect(openStorage('/data/b1').urlOf('results.jsonl')).toBe('/data/b1/results.jsonl');
    expect(openStorage('s3://bucket/team/b1')).toBeInstanceOf(S3Storage);

    const elsewhere = () => openStorage('file://build-box-7/data/b1');
    expect(elsewhere).toThrow(StorageElsewhereError);
    expect(elsewhere).toThrow(`in /data/b1 on host build-box-7, and this is host ${thisHost()}`);
    expect(elsewhere).toThrow(/--storage s3:\/\/bucket\/prefix/);
  });
});
