import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rowIdSegment } from '../storage/layout.js';
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

  it('never starts or ends with a dot', () => {
    expect(encodeRowKey('.hidden')).toBe('%2Ehidden');
    expect(encodeRowKey('..')).toBe('%2E%2E');
    expect(encodeRowKey('.')).toBe('%2E');
    expect(encodeRowKey('a.')).toBe('a%2E');
    expect(encodeRowKey('a.b')).toBe('a.b');
  });

  it('escapes the first letter of Windows device names, with or without an extension', () => {
    expect(encodeRowKey('CON')).toBe('%43ON');
    expect(encodeRowKey('nul.json')).toBe('%6Eul.json');
    expect(encodeRowKey('Com1')).toBe('%43om1');
    expect(encodeRowKey('lpt9.txt')).toBe('%6Cpt9.txt');
    expect(encodeRowKey('console')).toBe('console');
    expect(encodeRowKey('com10')).toBe('com10');
  });

  it('keeps distinct keys distinct, including ones that look like escapes', () => {
    const keys = ['a b', 'a%20b', 'a+b', '.x', '%2Ex', 'SKU-1', 'sku-1', 'a/b', 'a%2Fb', '~', '%7E', 'a.', 'a%2E'];
    keys.push('CON', '%43ON', 'nul', '%6Eul', '..', '%2E.', '%2E%2E');
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
    const keys = ['a/b\\c:d*e?f"g<h>i|j', '\u0000\n\t', '../../etc/passwd', 'ünïcödé'.repeat(20), 'PRN', 'x.'];
    for (const key of keys) {
      const id = encodeRowKey(key);
      expect(id).toMatch(/^[A-Za-z0-9_%~-][A-Za-z0-9_.%~-]*$/);
      expect(id).not.toMatch(/\.$/);
      expect(rowIdSegment(id)).toBe(id); // the storage layout accepts it as one file name
    }
  });

  it('refuses an empty key', () => {
    expect(() => encodeRowKey('')).toThrow(RangeError);
  });
});
