import { describe, expect, it } from 'vitest';
import { signMagnificWebhook, verifyMagnificWebhook } from './magnific.js';

const SECRET = 'whsec_magnific_unit_7';
const NOW_MS = 1_767_225_600_000;
const NOW_S = NOW_MS / 1000;
const finished = JSON.stringify({ event: 'finished', run_id: 'sq-1', result: { images: [] } });
const req = (body: string, headers: Record<string, string> = {}) => ({ headers, body: Buffer.from(body) });

describe('verifyMagnificWebhook', () => {
  it('accepts a body signed with the secret and reads finished and failed as final, initialized as progress', () => {
    expect(verifyMagnificWebhook(req(finished, signMagnificWebhook(SECRET, finished, NOW_S)), SECRET, NOW_MS)).toEqual({
      ok: true,
      event: { provider: 'magnific', runId: 'sq-1', kind: 'final', status: 'finished' },
    });
    const kinds = ['failed', 'initialized'].map((event) => {
      const body = JSON.stringify({ event, run_id: 42 });
      const r = verifyMagnificWebhook(req(body, signMagnificWebhook(SECRET, body, NOW_S)), SECRET, NOW_MS);
      return r.ok && [r.event.runId, r.event.kind];
    });
    expect(kinds).toEqual([
      ['42', 'final'],
      ['42', 'progress'],
    ]);
  });

  it('with a secret, refuses another secret, a changed body, a stale timestamp and missing headers', () => {
    const other = signMagnificWebhook('another-secret', finished, NOW_S);
    expect(verifyMagnificWebhook(req(finished, other), SECRET, NOW_MS)).toMatchObject({ ok: false, status: 401 });
    const changed = JSON.stringify({ event: 'failed', run_id: 'sq-1' });
    const headers = signMagnificWebhook(SECRET, finished, NOW_S);
    expect(verifyMagnificWebhook(req(changed, headers), SECRET, NOW_MS)).toMatchObject({ status: 401 });
    const stale = signMagnificWebhook(SECRET, finished, NOW_S - 301);
    expect(verifyMagnificWebhook(req(finished, stale), SECRET, NOW_MS)).toMatchObject({ status: 401 });
    expect(verifyMagnificWebhook(req(finished), SECRET, NOW_MS)).toMatchObject({ status: 400 });
  });

  it('without a secret, accepts an unsigned webhook but still refuses a body that is not an event', () => {
    expect(verifyMagnificWebhook(req(finished), undefined, NOW_MS)).toMatchObject({ ok: true });
    const bad = verifyMagnificWebhook(req(JSON.stringify({ event: 'done', run_id: 'sq-1' })), undefined, NOW_MS);
    expect(bad).toEqual({ ok: false, status: 400, reason: 'body is not a Magnific webhook event (event)' });
  });
});
