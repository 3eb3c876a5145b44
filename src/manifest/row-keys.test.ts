import { describe, expect, it } from 'vitest';
import { MAX_KEY_CHARS, RowKeyRegistry } from './row-keys.js';

describe('RowKeyRegistry', () => {
  it('finds duplicates and letter-case conflicts among many keys, naming the first row', () => {
    const keys = new RowKeyRegistry('sku');
    for (let row = 1; row <= 50_000; row++) expect(keys.add(`SKU-${row}`, row)).toEqual({ id: `SKU-${row}` });
    expect(keys.add('SKU-12345', 50_001)).toMatchObject({ code: 'KEY_DUPLICATE' });
    expect(keys.add('SKU-12345', 50_001)).toMatchObject({ message: expect.stringContaining('by row 12345;') });
    expect(keys.add('sku-777', 50_002)).toMatchObject({ code: 'KEY_CASE_CONFLICT' });
    expect(keys.add('sku-777', 50_002)).toMatchObject({ message: expect.stringContaining('key of row 777 only') });
    expect(keys.add('SKU-50001', 50_003)).toEqual({ id: 'SKU-50001' });
  });

  it('compares encoded ids, so escaped keys and their look-alikes stay apart', () => {
    const keys = new RowKeyRegistry('k');
    expect(keys.add('a/b', 1)).toEqual({ id: 'a%2Fb' });
    expect(keys.add('a%2Fb', 2)).toEqual({ id: 'a%252Fb' });
    expect(keys.add('A/B', 3)).toMatchObject({ code: 'KEY_CASE_CONFLICT' });
    expect(keys.add('a/b', 4)).toMatchObject({ code: 'KEY_DUPLICATE' });
  });

  it('refuses a key longer than the limit before remembering it', () => {
    const keys = new RowKeyRegistry('k');
    expect(keys.add('x'.repeat(MAX_KEY_CHARS + 1), 1)).toMatchObject({ code: 'KEY_TOO_LONG' });
    expect(keys.add('x'.repeat(MAX_KEY_CHARS), 2)).toMatchObject({ id: expect.stringMatching(/^x{64}~/) });
  });
});
