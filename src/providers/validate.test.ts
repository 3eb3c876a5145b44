import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ProviderProtocolError } from './errors.js';
import { parseResponse, protocolError } from './validate.js';

const ctx = { provider: 'lamina' as const, method: 'GET', path: '/v1/runs/r1', status: 200 };
const RUN = z.object({
  data: z.object({
    runId: z.string(),
    status: z.enum(['queued', 'running', 'completed']),
    outputs: z.array(z.object({ label: z.string() })),
  }),
});

function failure(body: unknown, secrets: string[] = []): ProviderProtocolError {
  try {
    parseResponse(RUN, body, ctx, secrets);
  } catch (err) {
    return err as ProviderProtocolError;
  }
  throw new Error('expected a protocol error');
}

describe('parseResponse', () => {
  it('returns the parsed answer and ignores fields it does not know', () => {
    const body = { data: { runId: 'r1', status: 'queued', outputs: [], extra: 1 }, meta: {} };
    expect(parseResponse(RUN, body, ctx).data.runId).toBe('r1');
  });

  it('names the provider, endpoint and the missing field, down to an array element', () => {
    expect(failure({ data: { status: 'queued', outputs: [] } }).message).toBe(
      'lamina: GET /v1/runs/r1 answered outside its contract: field data.runId is missing',
    );
    expect(failure({ data: { runId: 'r1', status: 'queued', outputs: [{}] } }).message).toContain(
      'field data.outputs.0.label is missing',
    );
    expect(failure(null).message).toContain('answered outside its contract: body is invalid');
  });

  it('shows a wrong value briefly, with any secret in it redacted', () => {
    const err = failure({ data: { runId: 'r1', status: 'paused lma_secret_key_123', outputs: [] } }, [
      'lma_secret_key_123',
    ]);
    expect(err).toBeInstanceOf(ProviderProtocolError);
    expect(err.message).toMatch(/field data\.status is invalid: .*\(got "paused \[redacted\]"\)$/);
    expect(err.message).not.toContain('lma_secret_key_123');
  });

  it('builds the same error for rules a schema cannot express', () => {
    expect(protocolError(ctx, 'data.outputs', 'is empty for a completed run').message).toBe(
      'lamina: GET /v1/runs/r1 answered outside its contract: field data.outputs is empty for a completed run',
    );
  });
});
