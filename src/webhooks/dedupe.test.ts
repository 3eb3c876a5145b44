import { describe, expect, it } from 'vitest';
import { DeliveryDedupe } from './dedupe.js';

describe('DeliveryDedupe', () => {
  it('refuses a key while it is delivered and after, frees it on failure, and forgets the oldest beyond its size', () => {
    const d = new DeliveryDedupe(2);
    expect(d.claim('a')).toBe(true);
    expect(d.claim('a')).toBe(false);
    d.release('a');
    expect(d.claim('a')).toBe(true);
    d.settle('a');
    expect(d.claim('a')).toBe(false);
    for (const k of ['b', 'c']) {
      d.claim(k);
      d.settle(k);
    }
    expect(d.claim('a')).toBe(true);
    expect(d.claim('c')).toBe(false);
  });
});
