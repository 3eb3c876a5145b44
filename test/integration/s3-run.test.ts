import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage, s3ClientFromEnv } from '../../src/storage/index.js';
import type { ResultLine } from '../../src/shared/results-format.js';
import { DEMO_LAMINA_APP_ID } from '../../src/simulator/index.js';
import { freePort } from '../../src/temporal/server-probe.js';
import { readResults, startHarness, uniqueId, writeManifest, type Harness } from '../helpers/harness.js';
import { runCli, waitFor } from '../helpers/processes.js';
import { createScheduleCommand, triggerScheduleCommand } from '../../src/cli/commands/schedule.js';
import { scheduleReport, type FireReport } from '../../src/schedules/report.js';
import type { BatchWorkflowOutput } from '../../src/shared/batch-contract.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';
import { temporalAddress, temporalCliPath } from '../helpers/temporal-env.js';

const ROWS = 12;
const BUCKET = 'batches';

describe('a batch on S3-compatible storage', () => {
  let h: Harness;
  let s3: S3Server;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await startHarness('s3-run', { runDurationMs: { min: 200, max: 600 } });
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
    env = { ...h.env, ...s3.env(), TEMPORAL_CLI_PATH: temporalCliPath(), DURABATCH_HOME: join(h.dir, 'home') };
    delete env.TEMPORAL_ADDRESS;
    env.DURABATCH_TEMPORAL_PORT = String(await freePort('127.0.0.1'));
    env.DURABATCH_UI_PORT = String(await freePort('127.0.0.1'));
  });

  afterAll(async () => {
    await s3?.stop();
    await h?.stop();
  });

  it('keeps the manifest, every row, every output and the results in the bucket, and reads them back from there', async () => {
    const manifest = await writeManifest(h.dir, ROWS);
    const args = ['run', manifest, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku'];
    const run = await runCli([...args, '--storage', `s3://${BUCKET}/team`, '--batch-id', 's3-batch'], env, {
      cwd: h.dir,
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`Results: s3://${BUCKET}/team/s3-batch/results.jsonl`);
    // Nothing of the batch on the local disk: not beside the manifest, not in the working folder.
    expect(existsSync(join(h.dir, '.durabatch'))).toBe(false);

    const storage = new S3Storage(`s3://${BUCKET}/team/s3-batch`, s3ClientFromEnv(s3.env()));
    expect(await storage.exists('source/manifest.csv')).toBe(true);
    const printed = await runCli(['results', 's3-batch'], env, { cwd: h.dir });
    expect(printed.code, printed.output).toBe(0);
    const lines = printed.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as ResultLine);
    expect(lines.map((l) => l.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    for (const line of lines) {
      expect(line.status, JSON.stringify(line.error)).toBe('succeeded');
      for (const output of line.outputs) {
        const bytes = await storage.readRange(output.path ?? '', 0, (output.bytes ?? 0) + 1);
        expect(bytes.length).toBe(output.bytes);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(output.sha256);
      }
    }
    // Without the storage's keys, or with a wrong one: what to check, never "a bug", never the key.
    // (No instance-metadata lookup either: the SDK's chain would ask a link-local address this test must not reach.)
    const noKeys: NodeJS.ProcessEnv = { ...env, AWS_EC2_METADATA_DISABLED: 'true' };
    delete noKeys.AWS_ACCESS_KEY_ID;
    delete noKeys.AWS_SECRET_ACCESS_KEY;
    const blind = await runCli(['results', 's3-batch'], noKeys, { cwd: h.dir });
    expect(blind.code, blind.output).toBe(3);
    expect(blind.output).toContain('could not read the results of batch s3-batch');
    expect(blind.output).not.toContain('a bug');
    const wrong = { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret-key' };
    const refused = await runCli(['results', 's3-batch', '--outputs', '--out', join(h.dir, 'refused')], wrong, {
      cwd: h.dir,
    });
    expect(refused.code, refused.output).toBe(3);
    expect(refused.output).toContain('check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(refused.output).not.toContain('not-the-secret-key');

    // Every file, fetched to a folder elsewhere: the outputs at the paths the results name.
    const fetched = join(h.dir, 'elsewhere', 'fetched');
    const copy = await runCli(['results', 's3-batch', '--out', fetched, '--outputs'], env, { cwd: h.dir });
    expect(copy.code, copy.output).toBe(0);
    const copied = await readResults(join(fetched, 'results.jsonl'));
    expect(copied).toHaveLength(ROWS);
    for (const line of copied) {
      for (const output of line.outputs) {
        const bytes = await readFile(join(fetched, output.path ?? ''));
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(output.sha256);
      }
    }
    expect(existsSync(join(fetched, 'summary.json'))).toBe(true);

    // The storage keys stay out of what the batch wrote.
    const text = (await storage.readText('results.jsonl')) ?? '';
    expect(text).not.toContain(s3.secretAccessKey);
  });

  it('fills --out on the machine that ran `run`, from the bucket', async () => {
    const manifest = await writeManifest(h.dir, 3, { name: 'out.csv' });
    const out = join(h.dir, 'local-out');
    const args = ['run', manifest, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku'];
    const run = await runCli([...args, '--storage', `s3://${BUCKET}/team`, '--batch-id', 's3-out', '--out', out], env, {
      cwd: h.dir,
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`Results: ${join(out, 'results.jsonl')}`);
    const lines = await readResults(join(out, 'results.jsonl'));
    expect(lines).toHaveLength(3);
    for (const line of lines) for (const o of line.outputs) expect(existsSync(join(out, o.path ?? ''))).toBe(true);
  });

  it('keeps a redrive in the bucket: the failed row runs again in the next generation, merged into the results', async () => {
    const manifest = await writeManifest(h.dir, 4, { failRows: [3], name: 'redrive.csv' });
    const where = ['--storage', `s3://${BUCKET}/team`, '--batch-id', 's3-redrive'];
    const args = ['run', manifest, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku'];
    const first = await runCli([...args, ...where], env, { cwd: h.dir });
    expect(first.code, first.output).toBe(1); // a failed row
    const runsBefore = h.sim.counters().runsCreated;
    const again = await runCli(['redrive', 's3-redrive'], env, { cwd: h.dir });
    expect(again.output).toContain(`Results: s3://${BUCKET}/team/s3-redrive/results.jsonl`);
    expect(h.sim.counters().runsCreated - runsBefore).toBe(1); // only the failed row ran again

    const storage = new S3Storage(`s3://${BUCKET}/team/s3-redrive`, s3ClientFromEnv(s3.env()));
    const redrives = JSON.parse((await storage.readText('redrives.json')) ?? '[]') as { generation: number }[];
    expect(redrives.map((r) => r.generation)).toEqual([1]);
    const lines = ((await storage.readText('results.jsonl')) ?? '').trim().split('\n');
    expect(lines).toHaveLength(4);
  });
});

describe('a schedule on S3-compatible storage', () => {
  let h: Harness;
  let s3: S3Server;
  let server: Server;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
    // The in-process worker reads storage credentials from its process's environment, as `durabatch worker` does.
    Object.assign(process.env, s3.env());
    h = await startHarness('s3-schedule', { runDurationMs: { min: 100, max: 300 } });
    await h.startWorker();
    server = createServer((req, res) => {
      if (req.url !== '/exports/products.csv') return void res.writeHead(404).end('not here');
      res.writeHead(200, { 'content-type': 'text/csv' }).end('sku,Prompt\nF-1,a red chair\nF-2,a blue chair\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await h?.stop();
    await s3?.stop();
    for (const name of Object.keys(s3?.env() ?? {})) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('fires a batch that reads the manifest URL into the bucket and keeps everything there', async () => {
    const env = {
      ...h.env,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      DURABATCH_TASK_QUEUE: h.taskQueue,
    };
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/exports/products.csv`;
    const name = uniqueId('s3-nightly');
    const options = {
      manifest: url,
      provider: 'lamina' as const,
      app: DEMO_LAMINA_APP_ID,
      concurrency: 2,
      keyColumn: 'sku',
      omit: [],
      map: {},
      onAmbiguousSubmit: 'hold' as const,
      waitSeconds: 5,
      itemTimeout: 600_000,
      storage: `s3://${BUCKET}/nightly`,
      every: 3_600_000,
      overlap: 'skip' as const,
    };
    const quiet = () => undefined;
    expect(await createScheduleCommand(name, options, env, quiet)).toBe(0);
    expect(await triggerScheduleCommand(name, {}, env, quiet)).toBe(0);
    let fire: FireReport | undefined;
    await waitFor('the triggered fire to succeed', async () => {
      fire = (await scheduleReport(h.client, name)).recentFires.find((f) => f.outcome === 'succeeded');
      return fire !== undefined;
    });
    await h.client.schedule.getHandle(name).delete();
    const batchId = fire?.batchId ?? '';
    const result = (await h.client.workflow.getHandle(batchId).result()) as BatchWorkflowOutput;
    expect(result.resultsPath).toBe(`s3://${BUCKET}/nightly/${batchId}/results.jsonl`);
    const storage = new S3Storage(`s3://${BUCKET}/nightly/${batchId}`, s3ClientFromEnv(s3.env()));
    expect(await storage.readText('source/products.csv')).toContain('F-2');
    const lines = ((await storage.readText('results.jsonl')) ?? '').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as ResultLine).status)).toEqual(['succeeded', 'succeeded']);
  });
});
