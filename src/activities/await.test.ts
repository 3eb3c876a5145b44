import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderAdapter, RunSnapshot } from '../providers/types.js';
import type { ItemSettings } from '../shared/batch-spec.js';
import type { RunSnapshotLite } from './contracts.js';
import { createAwaitRun, nextReadDelayMs, progressDetails } from './await.js';
import { createCancelRun } from './cancel.js';
import type { ActivityDeps } from './deps.js';

const createAwaitActivities = (deps: ActivityDeps) => ({
  awaitRun: createAwaitRun(deps),
  cancelRun: createCancelRun(deps),
});

const settings: ItemSettings = {
  provider: 'lamina',
  app: 'app',
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

describe('awaitRun with collect: the wait and the download in one activity', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'durabatch-await-collect-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const finished = (outputs: RunSnapshot['outputs']): RunSnapshot => ({
    runId: 'r1',
    providerStatus: 'completed',
    state: 'succeeded',
    terminal: true,
    outputs,
    errorMessage: null,
    progress: null,
    records: null,
    createdAt: null,
    completedAt: null,
  });
  const output = (over: Partial<RunSnapshot['outputs'][number]>): RunSnapshot['outputs'][number] => ({
    id: null,
    label: 'caption',
    type: 'text',
    url: null,
    text: null,
    status: 'completed',
    error: null,
    ...over,
  });
  const activities = (snapshot: RunSnapshot) => {
    const adapter = {
      provider: 'lamina',
      waitMode: 'long-poll',
      waitRun: () => Promise.resolve(snapshot),
    } as unknown as ProviderAdapter;
    return createAwaitActivities({ adapterFor: () => adapter, secrets: [], maxAssetBytes: 1024 });
  };
  const input = () => ({ runId: 'r1', id: 'row-1', storage: dir, settings, collect: true });

  it('returns the downloaded outputs with the finished run', async () => {
    const { awaitRun } = activities(finished([output({ text: 'a red chair' })]));
    const got: RunSnapshotLite = await new MockActivityEnvironment().run(awaitRun, input());
    expect(got.terminal).toBe(true);
    expect(got.collected).toHaveLength(1);
    expect(got.collected?.[0]).toMatchObject({ label: 'caption', path: 'outputs/row-1/caption.txt', bytes: 11 });
    expect(await readFile(join(dir, 'outputs/row-1/caption.txt'), 'utf8')).toBe('a red chair');
  });

  it('leaves a download that fails to collectOutputs, and still returns the finished run', async () => {
    const { awaitRun } = activities(finished([output({ type: 'image', url: 'ftp://cdn.example/a.png' })]));
    const got: RunSnapshotLite = await new MockActivityEnvironment().run(awaitRun, input());
    expect(got.terminal).toBe(true);
    expect(got.collected).toBeUndefined();
    expect(got.outputs[0]?.url).toBe('ftp://cdn.example/a.png');
  });

  it('does not download again after an attempt that died downloading (its heartbeat says so)', async () => {
    const { awaitRun } = activities(finished([output({ text: 'a red chair' })]));
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { phase: 'downloading outputs' } });
    const got: RunSnapshotLite = await env.run(awaitRun, input());
    expect(got.collected).toBeUndefined();
    await expect(readFile(join(dir, 'outputs/row-1/caption.txt'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('has nothing to collect for a run without outputs, and downloads nothing without collect', async () => {
    const none: RunSnapshotLite = await new MockActivityEnvironment().run(activities(finished([])).awaitRun, input());
    expect(none.collected).toBeUndefined();
    const { awaitRun } = activities(finished([output({ text: 'a red chair' })]));
    const plain: RunSnapshotLite = await new MockActivityEnvironment().run(awaitRun, { ...input(), collect: false });
    expect(plain.collected).toBeUndefined();
  });
});

describe('cancelRun: cancel at the provider, then read back what the run became', () => {
  const run = (providerStatus: string, state: RunSnapshot['state']): RunSnapshot => ({
    runId: 'r1',
    providerStatus,
    state,
    terminal: true,
    outputs: [],
    errorMessage: null,
    progress: null,
    records: null,
    createdAt: null,
    completedAt: null,
  });
  const input = { runId: 'r1', settings };

  it('cancels first, then reads: a run cancelled in time comes back cancelled', async () => {
    const calls: string[] = [];
    let status = run('running', 'running');
    const adapter = {
      provider: 'lamina',
      cancelRun: (id: string) => {
        calls.push(`cancel ${id}`);
        status = run('cancelled', 'cancelled');
        return Promise.resolve();
      },
      getRun: (id: string) => {
        calls.push(`get ${id}`);
        return Promise.resolve(status);
      },
    } as unknown as ProviderAdapter;
    const { cancelRun } = createAwaitActivities({ adapterFor: () => adapter, secrets: [], maxAssetBytes: 1024 });
    const got: RunSnapshotLite = await new MockActivityEnvironment().run(cancelRun, input);
    expect(calls).toEqual(['cancel r1', 'get r1']);
    expect(got).toMatchObject({ runId: 'r1', state: 'cancelled', providerStatus: 'cancelled', terminal: true });
  });

  it('reports a run that finished before the cancel reached it as finished, and only reads where cancel is missing', async () => {
    const lamina = {
      provider: 'lamina',
      cancelRun: () => Promise.resolve(),
      getRun: () => Promise.resolve(run('completed', 'succeeded')),
    } as unknown as ProviderAdapter;
    const done: RunSnapshotLite = await new MockActivityEnvironment().run(
      createAwaitActivities({ adapterFor: () => lamina, secrets: [], maxAssetBytes: 1024 }).cancelRun,
      input,
    );
    expect(done).toMatchObject({ state: 'succeeded', providerStatus: 'completed' });
    const magnific = {
      provider: 'magnific',
      getRun: () => Promise.resolve({ ...run('running', 'running'), terminal: false }),
    } as unknown as ProviderAdapter;
    const still: RunSnapshotLite = await new MockActivityEnvironment().run(
      createAwaitActivities({ adapterFor: () => magnific, secrets: [], maxAssetBytes: 1024 }).cancelRun,
      { ...input, settings: { ...settings, provider: 'magnific' as const } },
    );
    expect(still).toMatchObject({ state: 'running', terminal: false });
  });
});
