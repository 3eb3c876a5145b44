import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createNormalizer } from './normalize.js';
import { readRows } from './read.js';
import { tempFiles } from '../../test/fixtures/manifests/helpers.js';

const files = tempFiles();

/** A full garbage collection, so heap figures show what is retained rather than garbage not yet collected. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function writeLines(
  path: string,
  count: number,
  line: (i: number) => string,
  head = '',
  tail = '',
): Promise<void> {
  const out = createWriteStream(path);
  out.write(head);
  for (let i = 0; i < count; i++) if (!out.write(line(i))) await once(out, 'drain');
  out.end(tail);
  await once(out, 'finish');
}

/** Reads every row, measuring the retained heap after a GC every `every` rows; returns count and max growth. */
async function readMeasuring(path: string, every: number): Promise<{ rows: number; growthMb: number }> {
  collectGarbage();
  const base = process.memoryUsage().heapUsed;
  let rows = 0;
  let growth = 0;
  for await (const _row of readRows(path)) {
    if (++rows % every !== 0) continue;
    collectGarbage();
    growth = Math.max(growth, process.memoryUsage().heapUsed - base);
  }
  return { rows, growthMb: growth / 1024 / 1024 };
}

describe('reading large manifests', () => {
  it('streams a 300k-row CSV without the heap growing with the file', async () => {
    const path = files.path('large.csv');
    const line = (i: number): string => `sku-${i},"a product shot of item ${i}, on white",Photo,${i % 50}\n`;
    await writeLines(path, 300_000, line, 'sku,Prompt,Style,Steps\n');
    expect(statSync(path).size).toBeGreaterThan(15 * 1024 * 1024);
    const { rows, growthMb } = await readMeasuring(path, 50_000);
    expect(rows).toBe(300_000);
    expect(growthMb).toBeLessThan(8);
  }, 20_000);

  it('validates a 20 MB CSV with a key column, keeping what it retains for the keys to ~40 bytes per row', async () => {
    const path = files.path('keyed.csv');
    const line = (i: number): string => `SKU-${i},"a product shot of item ${i}, studio light, on white, high detail"\n`;
    await writeLines(path, 270_000, line, 'sku,Prompt\n');
    expect(statSync(path).size).toBeGreaterThan(20 * 1024 * 1024);
    collectGarbage();
    const retained = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const base = retained();
    const normalizer = createNormalizer({ keyColumn: 'sku', app: null });
    for await (const row of readRows(path)) normalizer.accept(row);
    collectGarbage();
    const growthMb = (retained() - base) / 1024 / 1024;
    expect(normalizer.finish()).toMatchObject({ rowCount: 270_000, validRows: 270_000, issueCount: 0 });
    // Keys kept as strings in a Map took ~160 bytes per row (40 MB here); the hash table takes 20 bytes per slot.
    expect(growthMb).toBeLessThan(20);
  }, 60_000);

  it('streams a 50k-element JSON array without the heap growing with the file', async () => {
    const path = files.path('large.json');
    const line = (i: number): string => `${i === 0 ? '' : ','}{"sku":"sku-${i}","Prompt":"item ${i}","Steps":${i}}\n`;
    await writeLines(path, 50_000, line, '[\n', ']\n');
    const { rows, growthMb } = await readMeasuring(path, 10_000);
    expect(rows).toBe(50_000);
    expect(growthMb).toBeLessThan(8);
  }, 20_000);
});
