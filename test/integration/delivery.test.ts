import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiverForTemporal, type ReceiverForTemporal } from '../../src/cli/webhook-receiver.js';
import type { ItemSettings } from '../../src/shared/batch-spec.js';
import type { ResultLine } from '../../src/shared/results-format.js';
import { DEMO_LAMINA_APP_ID, DEMO_MAGNIFIC_APP_ID, inputFingerprint } from '../../src/simulator/index.js';
import type { SimulatorCounters } from '../../src/simulator/types.js';
import {
  batchInput,
  readResults,
  rowInputs,
  startBatch,
  startHarness,
  TEST_LAMINA_KEY,
  uniqueId,
  writeManifest,
  type Harness,
} from '../helpers/harness.js';
import { runCli, waitFor } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

/**
 * Every way a row can learn that its run finished (--delivery), each through the real simulator with its faults:
 * every row ends in the right state, with exactly one provider run per row.
 */

async function runLaminaBatch(h: Harness, rows: number, item: Partial<ItemSettings>): Promise<ResultLine[]> {
  const batchId = uniqueId('delivery');
  const manifest = await writeManifest(h.dir, rows, { name: `${batchId}.csv` });
  const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: 10 }, item));
  const result = await handle.result();
  return readResults(result.resultsPath);
}

function expectOneRunPerRow(counters: SimulatorCounters, lines: ResultLine[]): void {
  expect(lines.map((l) => l.row)).toEqual(lines.map((_, i) => i + 1));
  for (const line of lines) {
    const fp = inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(line.row));
    expect(counters.runsCreatedByFingerprint[fp], `row ${line.row}`).toBe(1);
  }
}

describe('--delivery on the command line', () => {
  it('refuses a mode the provider does not offer, and a webhook run on a cluster without a public address', async () => {
    const env = { ...process.env, TEMPORAL_ADDRESS: temporalAddress() };
    const manifest = join(tmpdir(), `durabatch-delivery-${process.pid}.csv`);
    await writeFile(manifest, 'sku,prompt\nA,hello\n');
    const artu = await runCli(
      ['run', manifest, '--provider', 'artu', '--app', 'wf-1', '--key-column', 'sku', '--delivery', 'stream'],
      env,
    );
    expect(artu.code, artu.output).toBe(2);
    expect(artu.output).toContain('--delivery stream is not available for artu: choose one of wait, poll');
    const webhook = await runCli(
      ['run', manifest, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--delivery', 'webhook'],
      env,
    );
    expect(webhook.code, webhook.output).toBe(2);
    expect(webhook.output).toContain('needs --webhook-base-url');
    // Embedded mode's receiver is on 127.0.0.1: the real Lamina could never reach it.
    const embedded: NodeJS.ProcessEnv = { ...process.env };
    delete embedded.TEMPORAL_ADDRESS;
    delete embedded.LAMINA_BASE_URL;
    const unreachable = await runCli(
      ['run', manifest, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--delivery', 'webhook'],
      embedded,
    );
    expect(unreachable.code, unreachable.output).toBe(2);
    expect(unreachable.output).toContain('with lamina at app.uselamina.ai needs --webhook-base-url: a public address');
    const unknown = await runCli(['run', manifest, '--provider', 'lamina', '--app', 'x', '--delivery', 'sse'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('expected one of wait, stream, webhook, poll');
  });
});

describe('--delivery stream (Lamina SSE)', () => {
  let h: Harness;
  let lines: ResultLine[];

  beforeAll(async () => {
    h = await startHarness('delivery-stream', {
      runDurationMs: { min: 600, max: 2200 },
      outputsPerRun: 3,
      // The 10-minute timeout scaled down so that long runs meet it, and a third of streams cut mid-run.
      stream: { pingIntervalMs: 150, timeoutMs: 900, disconnectRate: 0.3 },
      faults: [{ kind: '503', rate: 0.05, retryAfterSeconds: 1, endpoints: ['lamina.stream'] }],
    });
    await h.startWorker();
    lines = await runLaminaBatch(h, 40, { delivery: 'stream' });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('ends every row succeeded with all its outputs, one run per row', () => {
    expect(lines.map((l) => l.status)).toEqual(lines.map(() => 'succeeded'));
    for (const line of lines) expect(line.outputs).toHaveLength(3);
    expectOneRunPerRow(h.sim.counters(), lines);
  });

  it('follows streams through pings, timeout events and cut connections, without the wait endpoint', () => {
    const c = h.sim.counters();
    expect(c.streams.pings).toBeGreaterThan(0);
    expect(c.streams.timedOut).toBeGreaterThan(0);
    expect(c.streams.cut).toBeGreaterThan(0);
    expect(c.streams.opened).toBeGreaterThan(40);
    expect(c.requests['lamina.wait'] ?? 0).toBe(0);
  });

  it('shows the stream progress on the pending awaitRun activity, where the Web UI shows it', async () => {
    // The SDK sends heartbeats on at most every 0.8 × the heartbeat timeout (16 s): a 20 s run shows one step.
    h.sim.configure({ runDurationMs: 20_000, outputsPerRun: 4, stream: { timeoutMs: 60_000, disconnectRate: 0 } });
    const batchId = uniqueId('progress');
    const manifest = await writeManifest(h.dir, 1, { name: `${batchId}.csv` });
    const handle = await startBatch(h, batchInput(h, manifest, batchId, {}, { delivery: 'stream' }));
    const seen = new Set<string>();
    await waitFor(
      'the row to show some of its outputs ready',
      async () => {
        const described = await h.client.workflow
          .getHandle(`${batchId}/SKU-1`)
          .describe()
          .catch(() => null);
        for (const activity of described?.raw.pendingActivities ?? []) {
          for (const payload of activity.heartbeatDetails?.payloads ?? []) {
            const details = defaultPayloadConverter.fromPayload<{ outputs?: string }>(payload);
            if (details?.outputs) seen.add(details.outputs);
          }
        }
        return [...seen].some((text) => /^[1-3]\/4 outputs ready$/.test(text));
      },
      60_000,
    );
    await handle.result();
    expect([...seen].every((text) => /^[0-4]\/4 outputs ready$/.test(text))).toBe(true);
  });
});

describe('--delivery poll (Lamina status reads)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('delivery-poll', {
      runDurationMs: { min: 300, max: 1200 },
      faults: [{ kind: '500', rate: 0.1, endpoints: ['lamina.get'] }],
    });
    await h.startWorker();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('reads each run with GET until it ends, never long-polls, and pays once per row', async () => {
    const lines = await runLaminaBatch(h, 15, { delivery: 'poll' });
    expect(lines.map((l) => l.status)).toEqual(lines.map(() => 'succeeded'));
    expectOneRunPerRow(h.sim.counters(), lines);
    const requests = h.sim.counters().requests;
    expect(requests['lamina.wait'] ?? 0).toBe(0);
    expect(requests['lamina.get'] ?? 0).toBeGreaterThanOrEqual(15);
  });
});

describe('--delivery webhook (Lamina, signed with ED25519)', () => {
  let h: Harness;
  let receiver: ReceiverForTemporal;
  let lines: ResultLine[];
  const logLines: string[] = [];

  beforeAll(async () => {
    h = await startHarness('delivery-webhook', {
      runDurationMs: { min: 300, max: 1500 },
      webhooks: {
        lostRate: 0.2,
        duplicateRate: 0.3,
        staleRate: 0.15,
        badSignatureRate: 0.15,
        delayMs: { min: 0, max: 300 },
        retryDelaysMs: [200, 500, 1000],
      },
    });
    receiver = await startReceiverForTemporal({
      client: h.client,
      host: '127.0.0.1',
      port: 0,
      env: h.env,
      log: (line) => logLines.push(line),
    });
    await h.startWorker();
    lines = await runLaminaBatch(h, 40, {
      delivery: 'webhook',
      webhookBaseUrl: receiver.url,
      webhookFallbackMs: 3_000,
    });
  });

  afterAll(async () => {
    await receiver?.close();
    await h?.stop();
  });

  it('ends every row succeeded, one run per row, without the wait endpoint', () => {
    expect(lines.map((l) => l.status)).toEqual(lines.map(() => 'succeeded'));
    expectOneRunPerRow(h.sim.counters(), lines);
    expect(h.sim.counters().requests['lamina.wait'] ?? 0).toBe(0);
  });

  it('recovers rows whose webhook was lost with the fallback read', () => {
    const lamina = h.sim.counters().webhookDeliveries['lamina'] ?? {};
    expect(lamina['lost'] ?? 0).toBeGreaterThan(0);
    // Every lost row still succeeded above: its fallback timer read the run.
  });

  it('rejects stale and badly signed deliveries, and de-duplicates repeated ones', () => {
    const lamina = h.sim.counters().webhookDeliveries['lamina'] ?? {};
    expect(lamina['status 401'] ?? 0).toBeGreaterThan(0);
    expect(lamina['duplicate'] ?? 0).toBeGreaterThan(0);
    const stats = receiver.stats();
    expect(stats['duplicate'] ?? 0).toBeGreaterThan(0);
    // Most rows are woken by their webhook; the lost ones by the fallback read.
    expect(stats['delivered'] ?? 0).toBeGreaterThan(0);
    expect(stats['delivered'] ?? 0).toBeLessThanOrEqual(40);
    expect(logLines.some((l) => /signature|timestamp/i.test(l))).toBe(true);
    expect(logLines.join('\n')).not.toContain(TEST_LAMINA_KEY);
  });

  it('refuses a forged webhook for a running row, which then finishes on its own', async () => {
    h.sim.configure({ runDurationMs: 2500, webhooks: { lostRate: 0, duplicateRate: 0, staleRate: 0 } });
    const batchId = uniqueId('forged');
    const manifest = await writeManifest(h.dir, 1, { name: `${batchId}.csv` });
    const handle = await startBatch(
      h,
      batchInput(h, manifest, batchId, {}, { delivery: 'webhook', webhookBaseUrl: receiver.url }),
    );
    const itemId = `${batchId}/SKU-1`;
    const body = JSON.stringify({ data: { runId: 'forged-run', status: 'completed' } });
    const forged = await fetch(`${receiver.url}/webhooks/lamina/${encodeURIComponent(itemId)}?token=guess`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-lamina-webhook-signature': 'ab'.repeat(64),
        'x-lamina-webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-lamina-webhook-request-id': 'forged-run',
      },
      body,
    });
    expect(forged.status).toBe(401);
    const text = await forged.text();
    expect(text).not.toContain('guess');
    const result = await handle.result();
    const [line] = await readResults(result.resultsPath);
    expect(line?.status).toBe('succeeded');
  });
});

describe('--delivery webhook (Magnific, HMAC when a secret is configured)', () => {
  let h: Harness;
  let receiver: ReceiverForTemporal;
  let finishedBatch = '';

  beforeAll(async () => {
    h = await startHarness('delivery-magnific-webhook', {
      runDurationMs: { min: 300, max: 1000 },
      magnific: { webhookSecret: 'whsec_test_4d2c' },
      // Every first attempt badly signed: the receiver must refuse each, and each retry must get through.
      webhooks: { duplicateRate: 0.3, badSignatureRate: 1, retryDelaysMs: [200, 500] },
    });
    const env = { ...h.env, MAGNIFIC_WEBHOOK_SECRET: 'whsec_test_4d2c' };
    receiver = await startReceiverForTemporal({ client: h.client, host: '127.0.0.1', port: 0, env, log: () => {} });
    await h.startWorker();
  });

  afterAll(async () => {
    await receiver?.close();
    await h?.stop();
  });

  it('wakes each row with its verified webhook and pays once per row', async () => {
    const rows = 8;
    const csv = ['sku,Prompt', ...Array.from({ length: rows }, (_, k) => `m${k + 1},upscale ${k + 1}`)].join('\n');
    const manifest = join(h.dir, 'magnific.csv');
    await writeFile(manifest, csv + '\n');
    const batchId = uniqueId('magnific-webhook');
    const input = batchInput(
      h,
      manifest,
      batchId,
      { concurrency: 4 },
      {
        provider: 'magnific',
        app: DEMO_MAGNIFIC_APP_ID,
        delivery: 'webhook',
        webhookBaseUrl: receiver.url,
        // Long enough that rows finish by webhook, not by the fallback read.
        webhookFallbackMs: 60_000,
      },
    );
    const result = await (await startBatch(h, input)).result();
    const got = await readResults(result.resultsPath);
    expect(got.map((l) => l.status)).toEqual(got.map(() => 'succeeded'));
    const c = h.sim.counters();
    expect(c.runsCreated).toBe(rows);
    for (const count of Object.values(c.runsCreatedByFingerprint)) expect(count).toBe(1);
    expect(c.webhookDeliveries['magnific']?.['status 401'] ?? 0).toBeGreaterThan(0);
    expect(receiver.stats()['delivered'] ?? 0).toBe(rows);
    finishedBatch = batchId;
  });

  it('refuses a guessed URL (wrong token, or a workflow that is no row) without touching any history', async () => {
    // Unsigned Magnific webhooks (no secret) are the easiest to forge: the row's token is all that stands guard.
    const open = await startReceiverForTemporal({
      client: h.client,
      host: '127.0.0.1',
      port: 0,
      env: h.env,
      log: () => {},
    });
    try {
      const running = uniqueId('magnific-guess');
      h.sim.configure({ runDurationMs: 4_000 });
      const csv = join(h.dir, 'guess.csv');
      await writeFile(csv, 'sku,Prompt\ng1,upscale slowly\n');
      const handle = await startBatch(
        h,
        batchInput(
          h,
          csv,
          running,
          {},
          {
            provider: 'magnific',
            app: DEMO_MAGNIFIC_APP_ID,
            delivery: 'webhook',
            webhookBaseUrl: receiver.url,
            webhookFallbackMs: 60_000,
          },
        ),
      );
      const item = `${running}/g1`;
      await waitFor(
        'the row to start',
        async () =>
          (await h.client.workflow
            .getHandle(item)
            .describe()
            .catch(() => null)) !== null,
      );
      const eventsBefore = (await h.client.workflow.getHandle(item).fetchHistory()).events?.length ?? 0;
      const post = (workflowId: string) =>
        fetch(`${open.url}/webhooks/magnific/${encodeURIComponent(workflowId)}?token=guess`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ event: 'finished', run_id: 'r-guess', status: 'completed' }),
        });
      expect((await post(item)).status).toBe(404);
      expect((await post(running)).status).toBe(404); // the batch workflow
      expect((await post(`${finishedBatch}/m1`)).status).toBe(200); // a closed row: nothing to do
      const history = await h.client.workflow.getHandle(item).fetchHistory();
      const touched = (history.events ?? [])
        .slice(eventsBefore)
        .filter((e) => e.workflowExecutionSignaledEventAttributes || e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(touched).toHaveLength(0);
      const [line] = await readResults((await handle.result()).resultsPath);
      expect(line?.status).toBe('succeeded');
    } finally {
      await open.close();
    }
  });
});
