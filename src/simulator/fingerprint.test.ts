import { describe, expect, it } from 'vitest';
import { canonicalJson, inputFingerprint } from './fingerprint.js';
import { mulberry32 } from './prng.js';

describe('inputFingerprint', () => {
  it('ignores key order at every level and is 16 hex characters', () => {
    const a = inputFingerprint('lamina', 'app', { Prompt: 'x', Style: { b: 1, a: [2, { d: 1, c: 2 }] } });
    const b = inputFingerprint('lamina', 'app', { Style: { a: [2, { c: 2, d: 1 }], b: 1 }, Prompt: 'x' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs by provider, app and inputs', () => {
    const base = inputFingerprint('lamina', 'app', { Prompt: 'x' });
    expect(inputFingerprint('artu', 'app', { Prompt: 'x' })).not.toBe(base);
    expect(inputFingerprint('lamina', 'app2', { Prompt: 'x' })).not.toBe(base);
    expect(inputFingerprint('lamina', 'app', { Prompt: 'y' })).not.toBe(base);
  });

  it('serializes canonically', () => {
    expect(canonicalJson({ b: [1, 'two'], a: null, c: undefined })).toBe('{"a":null,"b":[1,"two"]}');
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for the same seed and stays in [0, 1)', () => {
    const [x, y] = [mulberry32(5), mulberry32(5)];
    const seq = Array.from({ length: 100 }, () => x());
    expect(Array.from({ length: 100 }, () => y())).toEqual(seq);
    expect(seq.every((n) => n >= 0 && n < 1)).toBe(true);
    expect(mulberry32(6)()).not.toBe(seq[0]);
  });
});
