import { describe, expect, it } from 'vitest';
import { redactDeep, redactSecrets, sanitizeCause, secretHeaderValues } from './redact.js';

describe('redactSecrets', () => {
  it('replaces every occurrence of each known secret', () => {
    expect(redactSecrets('a SECRET b SECRET, c OTHER', ['SECRET', 'OTHER'])).toBe(
      'a [redacted] b [redacted], c [redacted]',
    );
  });

  it('removes a secret that contains another whole, whatever the order they are given in', () => {
    expect(redactSecrets('key abcd-efgh', ['abcd', 'abcd-efgh'])).toBe('key [redacted]');
  });

  it('redacts a known secret however short, and ignores an empty one', () => {
    expect(redactSecrets('pin 42 ok', ['42', ''])).toBe('pin [redacted] ok');
  });

  it('removes anything shaped like a Lamina key without being told the key', () => {
    expect(redactSecrets('bad key lma_live_0123-abc_Z, retry')).toBe('bad key [redacted], retry');
  });

  it('removes bearer and basic tokens, in any letter case, keeping the scheme', () => {
    expect(redactSecrets('Authorization: Bearer xyz.789~+/= sent')).toBe('Authorization: Bearer [redacted] sent');
    expect(redactSecrets('basic dXNlcjpwYXNz')).toBe('basic [redacted]');
  });

  it('applies the known secrets and the shapes together', () => {
    const text = redactSecrets('key s3cr3t-value, lma_abc123 and Bearer xyz.789', ['s3cr3t-value']);
    expect(text).toBe('key [redacted], [redacted] and Bearer [redacted]');
  });

  it('leaves a text without secrets as it is', () => {
    expect(redactSecrets('nothing to hide here', ['SECRET'])).toBe('nothing to hide here');
  });
});

describe('redactDeep', () => {
  it('redacts every string of a JSON-like value, keys included', () => {
    const value = { SECRET: ['a SECRET', { n: 1, t: 'Bearer tok' }], ok: null };
    expect(redactDeep(value, ['SECRET'])).toEqual({
      '[redacted]': ['a [redacted]', { n: 1, t: 'Bearer [redacted]' }],
      ok: null,
    });
  });
});

describe('secretHeaderValues', () => {
  it('takes the values of credential headers, and the token alone of a scheme and token', () => {
    const headers = { 'x-api-key': 'k1', authorization: 'Bearer t1', accept: 'application/json' };
    expect(secretHeaderValues(headers)).toEqual(['k1', 'Bearer t1', 't1']);
  });
});

describe('sanitizeCause', () => {
  it('replaces a cause that carries a secret anywhere, keeping its name and code', () => {
    const inner = new Error('sent with lma_topsecret');
    const err = Object.assign(new Error('outer', { cause: inner }), { code: 'ECONNRESET' });
    const safe = sanitizeCause(err, ['lma_topsecret']) as Error & { code: string };
    expect(JSON.stringify(safe) + safe.message + String(safe.stack)).not.toContain('topsecret');
    expect(safe.code).toBe('ECONNRESET');
    const clean = new Error('clean');
    expect(sanitizeCause(clean, ['lma_topsecret'])).toBe(clean);
  });
});
