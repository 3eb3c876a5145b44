import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeRowKey, MAX_ROW_ID_LENGTH } from './keys.js';

describe('encodeRowKey', () => {
  it('keeps letters, digits, underscore, dot and dash as they are', () => {
    expect(encodeRowKey('sku-123_A.v2')).toBe('sku-123_A.v2');
    expect(encodeRowKey('17')).toBe('17');
  });

  it('percent-encodes every other UTF-8 byte, the percent sign included', () => {
    expect(encodeRowKey('a/b c')).toBe('a%2Fb%20c');
    expect(encodeRowKey('100%')).toBe('100%25');
    expect(encodeRowKey('café')).toBe('caf%C3%A9');
    expect(encodeRowKey('☕~')).toBe('%E2%98%95%7E');
  });

  it('never starts with a dot', () => {
    expect(encodeRowKey('.hidden')).toBe('%2Ehidden');
    expect(encodeRowKey('..')).toBe('%2E.');
    expect(encodeRowKey('a.')).toBe('a.');
  });

  it('keeps distinct keys distinct, including ones that look like escapes', () => {
    const keys = ['a b', 'a%20b', 'a+b', '.x', '%2Ex', 'SKU-1', 'sku-1', 'a/b', 'a%2Fb', '~', '%7E'];
    const ids = keys.map(encodeRowKey);
    expect(new Set(ids).size).toBe(keys.length);
  });

  it('shortens long ids to 64 characters, a tilde and 12 hex digits of the key hash', () => {
    const key = 'x'.repeat(200);
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
    expect(encodeRowKey(key)).toBe(`${'x'.repeat(64)}~${hash}`);
    expect(encodeRowKey('x'.repeat(MAX_ROW_ID_LENGTH))).toBe('x'.repeat(MAX_ROW_ID_LENGTH));
  });

  it('keeps shortened ids unique when long keys share their first 64 characters', () => {
    const a = encodeRowKey(`${'p'.repeat(100)}-a`);
    const b = encodeRowKey(`${'p'.repeat(100)}-b`);
    expect(a).not.toBe(b);
    expect(a.slice(0, 65)).toBe(b.slice(0, 65));
  });

  it('never cuts a shortened id inside a percent escape', () => {
    const id = encodeRowKey(`${'x'.repeat(62)}/${'y'.repeat(40)}`);
    expect(id).toMatch(/^x{62}~[0-9a-f]{12}$/);
  });

  it('produces only characters safe in file names and workflow ids', () => {
    const keys = ['a/b\\c:d*e?f"g<h>i|j', '\u0000\n\t', '../../etc/passwd', 'ünïcödé'.repeat(20)];
    for (const key of keys) expect(encodeRowKey(key)).toMatch(/^[A-Za-z0-9_%~-][A-Za-z0-9_.%~-]*$/);
  });

  it('refuses an empty key', () => {
    expect(() => encodeRowKey('')).toThrow(RangeError);
  });
});
