import { describe, expect, it } from 'vitest';
import { errorCode, failedBeforeSending, parseErrorBody, parseRetryAfter } from './http-errors.js';

describe('parseErrorBody', () => {
  it('reads the current Lamina shape with code, request id, retryAfter and details', () => {
    const body = JSON.stringify({
      error: 'Too many requests',
      code: 'RATE_LIMITED',
      retryable: true,
      requestId: 'req_1',
      retryAfter: 12,
      details: [{ field: 'Style' }],
    });
    expect(parseErrorBody(body)).toEqual({
      message: 'Too many requests',
      code: 'RATE_LIMITED',
      requestId: 'req_1',
      retryAfterSeconds: 12,
      details: [{ field: 'Style' }],
    });
  });

  it('reads the older {error} shape', () => {
    expect(parseErrorBody('{"error":"Invalid API key"}')).toEqual({ message: 'Invalid API key' });
  });

  it('reads a nested {error: {message, code}} shape', () => {
    expect(parseErrorBody('{"error":{"message":"nope","code":"X"}}')).toEqual({ message: 'nope', code: 'X' });
  });

  it("reads Magnific's {message} shape", () => {
    expect(parseErrorBody('{"message":"Rate limit exceeded"}')).toEqual({ message: 'Rate limit exceeded' });
  });

  it("reads Artu's {message, code} shape", () => {
    expect(parseErrorBody('{"message":"Workflow not found","code":"NOT_FOUND"}')).toEqual({
      message: 'Workflow not found',
      code: 'NOT_FOUND',
    });
  });

  it("keeps Magnific's invalid_params as details", () => {
    const body = '{"message":"Invalid params","invalid_params":[{"field":"inputs","reason":"required"}]}';
    expect(parseErrorBody(body)).toEqual({
      message: 'Invalid params',
      details: [{ field: 'inputs', reason: 'required' }],
    });
  });

  it('keeps both a reason phrase in error and the text in message, lists joined, duplicates said once', () => {
    const nest = '{"statusCode":400,"error":"Bad Request","message":["inputs.prompt is required","limit too big"]}';
    expect(parseErrorBody(nest).message).toBe('Bad Request: inputs.prompt is required; limit too big');
    expect(parseErrorBody('{"error":"Forbidden","message":"Forbidden"}').message).toBe('Forbidden');
  });

  it('keeps the title of an HTML error page and the first words of plain text', () => {
    expect(parseErrorBody('<html><head><title>502 Bad Gateway</title></head><body>…</body></html>')).toEqual({
      message: '502 Bad Gateway',
    });
    expect(parseErrorBody('upstream   connect error\n')).toEqual({ message: 'upstream connect error' });
  });

  it('returns nothing for empty or non-object JSON bodies', () => {
    expect(parseErrorBody('')).toEqual({});
    expect(parseErrorBody('[1,2]')).toEqual({});
    expect(parseErrorBody('null')).toEqual({});
  });

  it('accepts a numeric-string retryAfter and ignores a negative one', () => {
    expect(parseErrorBody('{"retryAfter":"7"}').retryAfterSeconds).toBe(7);
    expect(parseErrorBody('{"retryAfter":-3}').retryAfterSeconds).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds, rounding up', () => {
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter('1.2')).toBe(2);
  });

  it('reads an HTTP-date relative to now, never below 0', () => {
    const now = Date.parse('2026-04-18T14:00:00Z');
    expect(parseRetryAfter('Sat, 18 Apr 2026 14:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sat, 18 Apr 2026 13:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('failedBeforeSending', () => {
  it('is true only for failures that cannot have reached the server', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED']) {
      expect(failedBeforeSending(code), code).toBe(true);
    }
    for (const code of [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
      'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
      'ERR_TLS_HANDSHAKE_TIMEOUT',
    ])
      expect(failedBeforeSending(code), code).toBe(true);
    // TLS errors that can end a kept-alive connection after the request went out on it.
    for (const code of [
      'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
      'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC',
      'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR',
      'ECONNRESET',
      'UND_ERR_SOCKET',
      'EPIPE',
      'UND_ERR_HEADERS_TIMEOUT',
      undefined,
    ]) {
      expect(failedBeforeSending(code), String(code)).toBe(false);
    }
  });

  it('finds the code of an AggregateError from a dual-stack connect', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' });
    expect(errorCode(new AggregateError([refused], 'connect failed'))).toBe('ECONNREFUSED');
    expect(errorCode(new Error('x', { cause: refused }))).toBe('ECONNREFUSED');
  });
});
