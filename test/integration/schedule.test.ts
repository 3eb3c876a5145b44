import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backfillScheduleCommand,
  createScheduleCommand,
  deleteScheduleCommand,
  describeScheduleCommand,
  listSchedulesCommand,
  pauseScheduleCommand,
  triggerScheduleCommand,
  unpauseScheduleCommand,
} from '../../src/cli/commands/schedule.js';
import type { ScheduleCreateOptions } from '../../src/cli/command-options.js';
import { CliError } from '../../src/cli/errors.js';
import { scheduleReport, type FireReport, type ScheduleReport } from '../../src/schedules/report.js';
import type { BatchWorkflowOutput } from '../../src/shared/batch-contract.js';
import { DEMO_LAMINA_APP_ID } from '../../src/simulator/index.js';
import { waitFor } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';
import { historyText } from '../helpers/histories.js';
import { readResults, startHarness, TEST_LAMINA_KEY, uniqueId, type Harness } from '../helpers/harness.js';

/** A CSV manifest for the demo app with the given SKUs; `marks` adds simulator markers to some prompts. */
function csv(skus: string[], marks: Record<string, string> = {}): string {
  const rows = skus.map((s) => `${s},"poster for ${s}${marks[s] ? ` ${marks[s]}` : ''}",Photoreal`);
  return ['sku,Prompt,Style', ...rows].join('\n') + '\n';
}

describe('durabatch schedule', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;
  let server: Server;
  let served = csv(['A-1', 'A-2', 'A-3']);
  let manifestUrl: string;
  let output = '';
  const out = (text: string) => void (output += text);

  beforeAll(async () => {
    h = await startHarness('schedule', { runDurationMs: { min: 100, max: 300 } });
    await h.startWorker();
    env = {
      ...h.env,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      DURABATCH_TASK_QUEUE: h.taskQueue,
    };
    server = createServer((req, res) => {
      if (req.url !== '/exports/products.csv') return void res.writeHead(404).end('not here');
      res.writeHead(200, { 'content-type': 'text/csv' }).end(served);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    manifestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/exports/products.csv`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await h?.stop();
  });

  function options(over: Partial<ScheduleCreateOptions>): ScheduleCreateOptions {
    return {
      manifest: manifestUrl,
      provider: 'lamina',
      app: DEMO_LAMINA_APP_ID,
      concurrency: 4,
      keyColumn: 'sku',
      omit: [],
      map: {},
      onAmbiguousSubmit: 'hold',
      waitSeconds: 5,
      itemTimeout: 600_000,
      dataDir: join(h.dir, 'data'),
      overlap: 'skip',
      ...over,
    };
  }

  const report = (name: string) => scheduleReport(h.client, name);

  async function fireWhere(name: string, what: string, match: (f: FireReport) => boolean): Promise<FireReport> {
    let found: FireReport | undefined;
    await waitFor(what, async () => (found = (await report(name)).recentFires.find(match)) !== undefined);
    return found as FireReport;
  }

  async function keysOf(batchId: string): Promise<string[]> {
    const result = (await h.client.workflow.getHandle(batchId).result()) as BatchWorkflowOutput;
    return (await readResults(result.resultsPath)).map((l) => l.key);
  }

  it('fires every interval, each fire a batch of its own that reads the manifest URL as it is then', async () => {
    const name = uniqueId('every');
    expect(await createScheduleCommand(name, options({ every: 2000 }), env, out)).toBe(0);
    expect(output).toContain(`created schedule ${name}: every 2s`);

    const first = await fireWhere(name, 'a first fire to succeed', (f) => f.outcome === 'succeeded');
    served = csv(['B-1', 'B-2']);
    const changedAt = Date.now();
    const later = await fireWhere(
      name,
      'a fire taken after the manifest changed to succeed',
      (f) => f.outcome === 'succeeded' && f.takenAt.getTime() > changedAt,
    );
    expect(await pauseScheduleCommand(name, { note: 'enough for the test' }, env, out)).toBe(0);

    expect(first.batchId).toMatch(new RegExp(`^${name}-\\d{4}-\\d{2}-\\d{2}T\\d{6}Z$`));
    expect(later.batchId).not.toBe(first.batchId);
    expect(first.counts?.succeeded).toBe(3);
    expect(await keysOf(first.batchId)).toEqual(['A-1', 'A-2', 'A-3']);
    expect(await keysOf(later.batchId)).toEqual(['B-1', 'B-2']);

    const described: ScheduleReport = await report(name);
    expect(described.paused).toBe(true);
    expect(described.note).toBe('enough for the test');
    expect(described.when).toBe('every 2s');
    expect(described.manifest).toBe(manifestUrl);
    output = '';
    expect(await describeScheduleCommand(name, {}, env, out)).toBe(0);
    expect(output).toContain(`Schedule ${name}: paused (enough for the test)`);
    expect(output).toContain(`batch ${first.batchId}  succeeded · succeeded 3`);
    expect(output).toContain(`batch ${later.batchId}  succeeded · succeeded 2`);

    const action = historyText((await h.client.schedule.getHandle(name).describe()).raw);
    const fire = historyText(await h.client.workflow.getHandle(first.fireWorkflowId).fetchHistory());
    const batch = historyText(await h.client.workflow.getHandle(first.batchId).fetchHistory());
    for (const text of [action, fire, batch]) expect(text).not.toContain(TEST_LAMINA_KEY);
    expect(fire).toContain(first.batchId);

    expect(await unpauseScheduleCommand(name, {}, env, out)).toBe(0);
    expect((await report(name)).paused).toBe(false);
    await waitFor('the schedule in the list', async () => {
      output = '';
      await listSchedulesCommand({}, env, out);
      return output.includes(`${name}  every 2s`);
    });
    expect(await deleteScheduleCommand(name, env, out)).toBe(0);
    await expect(describeScheduleCommand(name, {}, env, out)).rejects.toThrow(CliError);
    await expect(describeScheduleCommand(name, {}, env, out)).rejects.toThrow(`no schedule '${name}'`);
  });

  it('runs a triggered fire and a backfilled one as batches of their own, reading a local manifest at fire time', async () => {
    const name = uniqueId('trigger');
    const manifest = join(h.dir, 'local.csv');
    await writeFile(manifest, csv(['L-1', 'L-2']));
    // 1 January at midnight: never during the test, so every fire here is one we asked for.
    expect(await createScheduleCommand(name, options({ manifest, cron: '0 0 1 1 *' }), env, out)).toBe(0);
    expect(await triggerScheduleCommand(name, {}, env, out)).toBe(0);
    const first = await fireWhere(name, 'the triggered fire', (f) => f.outcome === 'succeeded');
    await writeFile(manifest, csv(['M-1']));
    expect(
      await backfillScheduleCommand(
        name,
        { from: new Date('2025-12-31T23:00:00Z'), to: new Date('2026-01-01T01:00:00Z'), overlap: 'buffer-all' },
        env,
        out,
      ),
    ).toBe(0);
    const backfilled = await fireWhere(
      name,
      'the backfilled fire',
      (f) => f.batchId === `${name}-2026-01-01T000000Z` && f.outcome === 'succeeded',
    );
    expect(backfilled.scheduledAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(await keysOf(first.batchId)).toEqual(['L-1', 'L-2']);
    expect(await keysOf(backfilled.batchId)).toEqual(['M-1']);
    expect(await deleteScheduleCommand(name, env, out)).toBe(0);
  });

  it('pauses itself after a fire whose batch failed, when created with --pause-on-failure', async () => {
    const name = uniqueId('pof');
    const manifest = join(h.dir, 'failing.csv');
    await writeFile(manifest, csv(['F-1', 'F-2'], { 'F-2': '[sim:fail]' }));
    const opts = options({ manifest, every: 2000, pauseOnFailure: true });
    expect(await createScheduleCommand(name, opts, env, out)).toBe(0);
    const failed = await fireWhere(name, 'the fire to fail', (f) => f.outcome === 'failed');
    expect(failed.counts).toMatchObject({ succeeded: 1, failed: 1 });
    expect(failed.error).toContain('ended with failures over its threshold');
    await waitFor('the schedule to pause itself', async () => (await report(name)).paused);
    expect(await deleteScheduleCommand(name, env, out)).toBe(0);
  });

  it('stops the running batch cleanly when the next fire cancels its fire (--overlap cancel-other)', async () => {
    const name = uniqueId('cancel');
    served = csv(['S-1'], { 'S-1': '[sim:duration=600000]' });
    const runsBefore = h.sim.counters().runsCreated;
    expect(await createScheduleCommand(name, options({ every: 2000, overlap: 'cancel-other' }), env, out)).toBe(0);
    await fireWhere(name, 'a slow fire to run', (f) => f.outcome === 'running');
    // A running fire may not have read its manifest yet: change it only once the slow run exists.
    await waitFor('the slow run to start', () => h.sim.counters().runsCreated > runsBefore);
    served = csv(['Q-1']);
    const cancelled = await fireWhere(name, 'the slow fire to be cancelled', (f) => f.outcome === 'cancelled');
    expect(await pauseScheduleCommand(name, {}, env, out)).toBe(0);
    const batch = (await h.client.workflow.getHandle(cancelled.batchId).result()) as BatchWorkflowOutput;
    expect(batch.stopped).toBe(`the schedule ${name} cancelled this fire`);
    expect(batch.counts.cancelled).toBe(1);
    // Under load, a fire can cancel the slow one before its run exists and then read the slow manifest itself (it
    // was still served then), so a slow fire may still be running now that the schedule is paused. One more fire,
    // reading the quick manifest, cancels it.
    if ((await report(name)).recentFires.some((f) => f.outcome === 'running')) {
      expect(await triggerScheduleCommand(name, { overlap: 'cancel-other' }, env, out)).toBe(0);
    }
    await waitFor('the last fire to end', async () =>
      (await report(name)).recentFires.every((f) => f.outcome !== 'running'),
    );
    expect(await deleteScheduleCommand(name, env, out)).toBe(0);
  });

  it('fails a fire with a clear message when the manifest URL answers 404', async () => {
    const name = uniqueId('missing');
    const opts = options({ manifest: manifestUrl.replace('products.csv', 'gone.csv'), cron: '0 0 1 1 *' });
    expect(await createScheduleCommand(name, opts, env, out)).toBe(0);
    expect(await triggerScheduleCommand(name, {}, env, out)).toBe(0);
    const failed = await fireWhere(name, 'the fire to fail', (f) => f.outcome === 'failed');
    expect(failed.error).toMatch(
      /could not fetch the manifest: download of http:\/\/127\.0\.0\.1:\d+\/exports\/gone\.csv failed: status 404/,
    );
    expect(await deleteScheduleCommand(name, env, out)).toBe(0);
  });

  it('refuses what would fail at every fire, before creating anything', async () => {
    const refuse = (over: Partial<ScheduleCreateOptions>, name = uniqueId('bad')) =>
      createScheduleCommand(name, options(over), env, out);
    await expect(refuse({ every: 2000, cron: '* * * * *' })).rejects.toThrow('exactly one of --cron');
    await expect(refuse({})).rejects.toThrow('exactly one of --cron');
    await expect(refuse({ every: 60_000 }, 'bad name')).rejects.toThrow("schedule name 'bad name'");
    await expect(refuse({ every: 60_000, manifest: 'http://user:pw@example.com/m.csv' })).rejects.toThrow(
      'may not hold a user name or password',
    );
    await expect(refuse({ every: 60_000, manifest: 'https://example.com/export' })).rejects.toThrow('add --format');
    await expect(refuse({ every: 60_000, delivery: 'webhook' })).rejects.toThrow('needs --webhook-base-url');
    await expect(refuse({ cron: 'not a cron' })).rejects.toThrow(
      'Temporal refused the schedule: CronString does not have 5-7 fields',
    );
  });
});
