import { describe, expect, it } from 'vitest';
import { AssetSigner } from '../assets.js';
import { defaultSettings } from '../config.js';
import { CounterStore } from '../counters.js';
import { mulberry32 } from '../prng.js';
import { Scheduler } from '../scheduler.js';
import { DEMO_LAMINA_APP } from './apps.js';
import { planRun } from './run-plan.js';
import { LaminaRunStore } from './runs.js';
import { executionStatus } from './status.js';

function setup(durationMs: number, outputsPerRun?: number) {
  const scheduler = new Scheduler();
  const counters = new CounterStore();
  const store = new LaminaRunStore(scheduler, counters);
  const settings = { ...defaultSettings(), runDurationMs: durationMs, ...(outputsPerRun ? { outputsPerRun } : {}) };
  const create = (prompt: string) =>
    store.create(
      DEMO_LAMINA_APP,
      { Prompt: prompt },
      planRun(DEMO_LAMINA_APP, { Prompt: prompt }, settings, mulberry32(1)),
      null,
    );
  return { scheduler, counters, store, create };
}

describe('LaminaRunStore', () => {
  it('keeps one lifecycle timer per live run and none once it is terminal', async () => {
    const { scheduler, store, create } = setup(20);
    const run = create('x');
    expect(scheduler.pending).toBe(1);
    expect(await store.waitForTerminal(run, 1000, new AbortController().signal)).toBe(true);
    expect(run.status).toBe('completed');
    expect(scheduler.pending).toBe(0);
  });

  it('removes a waiter and its timer when the waiting client goes away', async () => {
    const { scheduler, store, create } = setup(60_000);
    const run = create('x');
    const client = new AbortController();
    const waiting = store.waitForTerminal(run, 60_000, client.signal);
    expect(scheduler.pending).toBe(2);
    client.abort();
    expect(await waiting).toBe(false);
    expect(scheduler.pending).toBe(1);
    store.cancel(run);
    expect(scheduler.pending).toBe(0);
  });

  it('wakes every waiter on the terminal transition and times out the rest', async () => {
    const { store, create, scheduler } = setup(60_000);
    const run = create('x');
    const signal = new AbortController().signal;
    const short = store.waitForTerminal(run, 10, signal);
    const long = [store.waitForTerminal(run, 60_000, signal), store.waitForTerminal(run, 60_000, signal)];
    expect(await short).toBe(false);
    store.cancel(run);
    expect(await Promise.all(long)).toEqual([true, true]);
    expect(run.status).toBe('cancelled');
    scheduler.close();
  });

  it('plans the duration from a [sim:duration] marker and failure from [sim:fail]', () => {
    const settings = defaultSettings();
    const plan = planRun(DEMO_LAMINA_APP, { Prompt: 'x [sim:duration=1234] [sim:fail]' }, settings, mulberry32(1));
    expect(plan).toMatchObject({ durationMs: 1234, queuedMs: 123, willFail: true });
    const drawn = planRun(DEMO_LAMINA_APP, { Prompt: 'x' }, settings, mulberry32(1));
    expect(drawn.durationMs).toBeGreaterThanOrEqual(1500);
    expect(drawn.durationMs).toBeLessThanOrEqual(2500);
    expect(drawn.willFail).toBe(false);
  });

  it('readies outputs one by one while running and tells subscribers of each change', async () => {
    const { store, create } = setup(80, 4);
    const seen = (prompt: string) => {
      const run = create(prompt);
      const changes: string[] = [];
      store.subscribe(run, () => changes.push(`${run.status} ${run.completedOutputs}`));
      return { run, changes };
    };
    const good = seen('x');
    const bad = seen('x [sim:fail]');
    const signal = new AbortController().signal;
    await Promise.all([good, bad].map(({ run }) => store.waitForTerminal(run, 5000, signal)));
    expect(good.changes).toEqual(['running 0', 'running 1', 'running 2', 'running 3', 'completed 4']);
    expect(bad.changes).toEqual(['running 0', 'failed 0']);
  });

  it('keeps the outputs ready before a cancel and fails the rest', () => {
    const { store, create } = setup(60_000, 4);
    const run = create('x');
    run.completedOutputs = 2;
    store.cancel(run);
    const view = { signer: new AssetSigner(() => 'http://127.0.0.1:1'), assetTtlMs: 1000 };
    const status = executionStatus(run, view) as { outputs: { status: string }[]; progress: unknown };
    expect(status.outputs.map((o) => o.status)).toEqual(['completed', 'completed', 'error', 'error']);
    expect(status.progress).toEqual({ totalOutputs: 4, completedOutputs: 2, failedOutputs: 2, percentComplete: 100 });
  });
});
