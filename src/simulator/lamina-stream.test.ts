import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunJson } from '../../test/fixtures/simulator/lamina-client.js';
import { call, startRun, waitRun } from '../../test/fixtures/simulator/lamina-client.js';
import { progressKey, readStream } from '../../test/fixtures/simulator/sse-client.js';
import type { StreamEvent } from '../../test/fixtures/simulator/sse-client.js';
import { DEMO_LAMINA_APP_ID, startSimulator } from './index.js';
import type { SimulatorHandle } from './index.js';

const APP = DEMO_LAMINA_APP_ID;
let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 11, runDurationMs: 60, stream: { pingIntervalMs: 60_000 } });
});
afterEach(async () => {
  await sim.close();
});

async function startedId(prompt: string): Promise<string> {
  return (await startRun(sim.url, APP, { Prompt: prompt })).json.data.runId;
}

const statusOf = (event: StreamEvent): RunJson => event.data as RunJson;

describe('Lamina SSE stream', () => {
  it('streams progress as the run starts and each output is ready, then complete, then closes', async () => {
    sim.configure({ outputsPerRun: 4, queuedShare: 0.5 });
    const runId = await startedId('four [sim:duration=2000]');
    const read = await readStream(sim.url, runId);
    expect(read.status).toBe(200);
    expect(read.contentType).toMatch(/^text\/event-stream/);
    expect(read.end).toBe('closed');
    const all = [
      'progress queued 0/4',
      'progress running 0/4',
      'progress running 1/4',
      'progress running 2/4',
      'progress running 3/4',
      'complete completed 4/4',
    ];
    const keys = read.events.map(progressKey);
    // The stream starts wherever the run was at connect; from there on it must show every step, in order.
    expect(keys).toEqual(all.slice(all.indexOf(keys[0] ?? '')));
    expect(keys.length).toBeGreaterThanOrEqual(4);
    const threeReady = read.events.find((e) => progressKey(e) === 'progress running 3/4');
    expect(statusOf(threeReady!).outputs.map((o) => o.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'pending',
    ]);
    expect(statusOf(threeReady!).outputs[0]?.value).toMatch(/^http:\/\/.+\/_sim\/assets\//);
    expect(statusOf(threeReady!).outputs[3]).toMatchObject({ type: 'pending', value: null });
    const last = statusOf(read.events.at(-1)!);
    expect(last).toMatchObject({ runId, status: 'completed', errorMessage: null });
    expect(last.progress).toEqual({ totalOutputs: 4, completedOutputs: 4, failedOutputs: 0, percentComplete: 100 });
    expect(sim.counters().streams).toEqual({ opened: 1, completed: 1, timedOut: 0, cut: 0, pings: 0 });
    expect(sim.counters().requests['lamina.stream']).toBe(1);
  });

  it('sends one complete event and closes for a run already completed at connect', async () => {
    const runId = await startedId('done');
    expect((await waitRun(sim.url, runId)).json.data.status).toBe('completed');
    const read = await readStream(sim.url, runId);
    expect(read.events.map(progressKey)).toEqual(['complete completed 1/1']);
    expect(read.end).toBe('closed');
  });

  it('sends one error event for a run already failed at connect, and error when a live run is cancelled', async () => {
    const failed = await startedId('bad [sim:fail]');
    await waitRun(sim.url, failed);
    const read = await readStream(sim.url, failed);
    expect(read.events.map(progressKey)).toEqual(['error failed 0/1']);
    expect(statusOf(read.events[0]!).errorMessage).toBe('Simulated generation failure');

    const live = await startedId('long [sim:duration=60000]');
    const cancelled = await readStream(sim.url, live, {
      onEvent: (_event, index) => {
        if (index === 0) void call(sim.url, `/v1/runs/${live}/cancel`, { method: 'POST' });
      },
    });
    expect(cancelled.events.at(-1)?.event).toBe('error');
    expect(statusOf(cancelled.events.at(-1)!)).toMatchObject({ status: 'cancelled', errorMessage: 'Run cancelled' });
    expect(cancelled.end).toBe('closed');
  });

  it('pings with a timestamp, then sends the timeout event and closes', async () => {
    sim.configure({ stream: { pingIntervalMs: 40, timeoutMs: 300 } });
    const runId = await startedId('long [sim:duration=60000]');
    const read = await readStream(sim.url, runId);
    expect(read.end).toBe('closed');
    expect(read.events[0]?.event).toBe('progress');
    expect(read.events.at(-1)).toEqual({ event: 'timeout', data: { message: 'Stream timeout after 300 ms' } });
    const pings = read.events.filter((e) => e.event === 'ping');
    expect(pings.length).toBeGreaterThanOrEqual(1);
    for (const ping of pings) {
      const { timestamp } = ping.data as { timestamp: string };
      expect(new Date(timestamp).toISOString()).toBe(timestamp);
    }
    expect(sim.counters().streams).toMatchObject({ opened: 1, completed: 0, timedOut: 1, pings: pings.length });
  });

  it('cuts a stream without a final event under the disconnect fault', async () => {
    sim.configure({ stream: { disconnectRate: 1, disconnectAfterMs: 100 } });
    const fixed = await readStream(sim.url, await startedId('long [sim:duration=60000]'));
    expect(fixed.end).toBe('cut');
    expect(fixed.events.map((e) => e.event)).toEqual(['progress']);

    sim.configure({ stream: { disconnectAfterMs: null }, runDurationMs: 400 });
    const drawn = await readStream(sim.url, await startedId('short'));
    expect(drawn.end).toBe('cut');
    expect(drawn.events.every((e) => e.event === 'progress')).toBe(true);
    expect(sim.counters().streams).toMatchObject({ opened: 2, completed: 0, cut: 2 });
  });

  it('stops pinging a stream whose client went away', async () => {
    sim.configure({ stream: { pingIntervalMs: 20 } });
    const runId = await startedId('long [sim:duration=60000]');
    const read = await readStream(sim.url, runId, { onEvent: (event) => event.event === 'ping' });
    expect(read.end).toBe('aborted');
    await new Promise((r) => setTimeout(r, 50));
    const after = sim.counters().streams.pings;
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.counters().streams.pings).toBe(after);
  });

  it('checks the API key and applies fault rules named lamina.stream', async () => {
    const runId = await startedId('x');
    expect((await call(sim.url, `/v1/runs/${runId}/stream`, { key: null })).status).toBe(401);
    expect((await call(sim.url, '/v1/runs/nope/stream')).status).toBe(404);
    sim.configure({ faults: [{ kind: '503', rate: 1, endpoints: ['lamina.stream'] }] });
    expect((await call(sim.url, `/v1/runs/${runId}/stream`)).status).toBe(503);
    expect((await call(sim.url, `/v1/runs/${runId}`)).status).toBe(200);
  });

  it('closes open streams when the simulator closes', async () => {
    const runId = await startedId('long [sim:duration=60000]');
    const reading = readStream(sim.url, runId, {
      onEvent: () => {
        void sim.close();
      },
    });
    expect((await reading).end).toBe('cut');
  });
});
