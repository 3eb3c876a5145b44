import { describe, expect, it } from 'vitest';
import { MAX_KEY_CHARS, RowKeyRegistry } from './row-keys.js';

describe('RowKeyRegistry', () => {
  it('finds duplicates and letter-case conflicts among many keys, naming the first row', () => {
    const keys = new RowKeyRegistry('sku');
    for (let row = 1; row <= 50_000; row++) expect(keys.add(`SKU-${row}`, row)).toEqual({ id: `SKU-${row}` });
    const duplicate = keys.add('SKU-12345', 50_001);
    expect(duplicate).toMatchObject({ code: 'KEY_DUPLICATE' });
    expect('message' in duplicate && duplicate.message).toContain('by row 12345;');
    const byCase = keys.add('sku-777', 50_002);
    expect(byCase).toMatchObject({ code: 'KEY_CASE_CONFLICT' });
    expect('message' in byCase && byCase.message).toContain('key of row 777 only');
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
    const longest = keys.add('x'.repeat(MAX_KEY_CHARS), 2);
    expect('id' in longest && longest.id).toMatch(/^x{64}~[0-9a-f]{12}$/);
  });
});
