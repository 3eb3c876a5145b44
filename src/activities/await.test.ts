import { describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../providers/types.js';
import type { ItemSettings } from '../shared/types.js';
import { nextReadDelayMs, progressDetails } from './await.js';

const settings: ItemSettings = {
  provider: 'lamina',
  app: 'app',
  storage: '/tmp/x',
  waitSeconds: 60,
  itemTimeoutMs: 60_000,
  onAmbiguousSubmit: 'hold',
};

describe('the pace of reads', () => {
  it('follows a long-poll closely, and polls at the provider pace unless the user asks for slower', () => {
    const lamina = { provider: 'lamina' as const, waitMode: 'long-poll' as const };
    expect(nextReadDelayMs(lamina, settings)).toBe(200);
    expect(nextReadDelayMs(lamina, { ...settings, delivery: 'poll' })).toBe(5_000);
    expect(nextReadDelayMs(lamina, { ...settings, delivery: 'poll', pollIntervalMs: 1_000 })).toBe(5_000);
    expect(nextReadDelayMs(lamina, { ...settings, delivery: 'poll', pollIntervalMs: 30_000 })).toBe(30_000);
    const magnific = { provider: 'magnific' as const, waitMode: 'poll' as const, pollIntervalMs: 4_000 };
    expect(nextReadDelayMs(magnific, { ...settings, provider: 'magnific' })).toBe(4_000);
  });
});

describe('stream progress on the heartbeat', () => {
  const snapshot = (progress: RunSnapshot['progress']): RunSnapshot => ({
    runId: 'r1',
    providerStatus: 'running',
    state: 'running',
    terminal: false,
    outputs: [],
    errorMessage: null,
    progress,
    records: null,
    createdAt: null,
    completedAt: null,
  });

  it('says how many outputs are ready, and which failed', () => {
    expect(progressDetails(snapshot(null))).toEqual({ status: 'running' });
    expect(
      progressDetails(snapshot({ totalOutputs: 4, completedOutputs: 2, failedOutputs: 0, percentComplete: 50 })),
    ).toEqual({ status: 'running', outputs: '2/4 outputs ready' });
    expect(
      progressDetails(snapshot({ totalOutputs: 4, completedOutputs: 2, failedOutputs: 1, percentComplete: 75 }))
        .outputs,
    ).toBe('2/4 outputs ready, 1 failed');
  });
});
