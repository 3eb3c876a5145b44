import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { text } from 'node:stream/consumers';
import type { BatchStorage } from '../../src/storage/storage.js';

/**
 * What every batch storage must do, run against each implementation (a local folder in the unit suite, a real
 * S3-compatible server in the integration suite). `open` gives a fresh, empty storage and a way to drop it.
 */
export function describeStorageContract(
  name: string,
  open: () => Promise<{ storage: BatchStorage; close: () => Promise<void> }>,
): void {
  describe(`${name}: the storage contract`, () => {
    let storage: BatchStorage;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ storage, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('reads what it wrote, and a missing key as null', async () => {
      expect(await storage.readText('items/x.json')).toBeNull();
      expect(await storage.openRead('items/x.json')).toBeNull();
      expect(await storage.exists('items/x.json')).toBe(false);
      await storage.writeAtomic('items/x.json', '{"a":1}');
      await storage.writeAtomic('items/x.json', '{"a":2}');
      expect(await storage.readText('items/x.json')).toBe('{"a":2}');
      expect(await storage.exists('items/x.json')).toBe(true);
      const stream = await storage.openRead('items/x.json');
      expect(stream && (await text(stream))).toBe('{"a":2}');
      expect((await storage.readRange('items/x.json', 1, 3)).toString()).toBe('"a"');
    });

    it('shows a written object only once it is committed, and nothing of an aborted one', async () => {
      const writer = await storage.createWriter('outputs/r1/0.png');
      writer.stream.write(Buffer.alloc(1000, 1));
      expect(await storage.exists('outputs/r1/0.png')).toBe(false);
      expect(await storage.list('outputs/r1')).toEqual([]);
      await writer.commit();
      expect((await storage.readRange('outputs/r1/0.png', 0, 2000)).length).toBe(1000);

      const dropped = await storage.createWriter('outputs/r1/1.png');
      dropped.stream.write('partial');
      await dropped.abort();
      expect(await storage.exists('outputs/r1/1.png')).toBe(false);
      expect(await storage.list('outputs/r1')).toEqual(['0.png']);
    });

    it('lists the names directly under a prefix, and removes a prefix whole', async () => {
      await storage.writeAtomic('outputs/a/0.png', 'a');
      await storage.writeAtomic('outputs/b/0.png', 'b');
      await storage.writeAtomic('outputs/b/1.txt', 'b');
      expect((await storage.list('outputs')).sort()).toEqual(['a', 'b']);
      expect((await storage.list('outputs/b')).sort()).toEqual(['0.png', '1.txt']);
      expect(await storage.list('nothing')).toEqual([]);
      await storage.remove('outputs/b/1.txt');
      expect(await storage.list('outputs/b')).toEqual(['0.png']);
      await storage.remove('outputs/b/never-there.txt');
      await storage.removeAll('outputs/b');
      expect(await storage.list('outputs')).toEqual(['a']);
    });

    it('creates an object exclusively: the second creator is told, and the first content stays', async () => {
      expect(await storage.createExclusive('claims/run-1.json', 'first')).toBe(true);
      expect(await storage.createExclusive('claims/run-1.json', 'second')).toBe(false);
      expect(await storage.readText('claims/run-1.json')).toBe('first');
      const racers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => storage.createExclusive('claims/run-2.json', `racer ${i}`)),
      );
      expect(racers.filter(Boolean)).toHaveLength(1);
    });
  });
}
