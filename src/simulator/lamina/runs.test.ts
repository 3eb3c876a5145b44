import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../config.js';
import { CounterStore } from '../counters.js';
import { mulberry32 } from '../prng.js';
import { Scheduler } from '../scheduler.js';
import { DEMO_LAMINA_APP } from './apps.js';
import { planRun } from './run-plan.js';
import { LaminaRunStore } from './runs.js';

function setup(durationMs: number) {
  const scheduler = new Scheduler();
  const counters = new CounterStore();
  const store = new LaminaRunStore(scheduler, counters);
  const settings = { ...defaultSettings(), runDurationMs: durationMs };
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
});
