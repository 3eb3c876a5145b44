import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BatchWorkflowOutput } from '../../src/shared/batch-contract.js';
import type { ResultLine } from '../../src/shared/results-format.js';
import { DEMO_LAMINA_APP_ID, inputFingerprint } from '../../src/simulator/index.js';
import type { FaultRule } from '../../src/simulator/types.js';
import { S3Storage, s3ClientFromEnv, type SubmitRecord } from '../../src/storage/index.js';
import { readResults, rowInputs, startHarness, uniqueId, writeManifest, type Harness } from '../helpers/harness.js';
import { killGroup, spawnCli, waitFor, type Spawned } from '../helpers/processes.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';
import { temporalAddress } from '../helpers/temporal-env.js';

const BUCKET = 'hosts';
/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY */
const ACTIVITY_QUEUE = 2;

/** A machine of its own: a working folder, HOME, DURABATCH_HOME and TMPDIR under one temp folder no other host uses. */
interface Host {
  dir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Hosts and process groups of one describe block, all removed and killed in its afterAll. */
class Machines {
  private readonly hosts: Host[] = [];
  private readonly procs: Spawned[] = [];

  async host(name: string, base: NodeJS.ProcessEnv): Promise<Host> {
    const dir = await mkdtemp(join(tmpdir(), `durabatch-host-${name}-`));
    const [cwd, home, tmp] = ['work', 'home', 'tmp'].map((d) => join(dir, d)) as [string, string, string];
    for (const d of [cwd, home, tmp]) await mkdir(d);
    const env: NodeJS.ProcessEnv = { ...base, HOME: home, DURABATCH_HOME: join(dir, 'durabatch-home'), TMPDIR: tmp };
    // The test runner's folders must not leak in through the environment either.
    for (const key of ['PWD', 'OLDPWD', 'INIT_CWD']) delete env[key];
    const host = { dir, cwd, env };
    this.hosts.push(host);
    return host;
  }

  /** `durabatch <args>` on `host`, leading its own process group. */
  spawn(host: Host, args: string[]): Spawned {
    const p = spawnCli(args, host.env, { detached: true, cwd: host.cwd });
    this.procs.push(p);
    return p;
  }

  async run(host: Host, args: string[]): Promise<{ code: number | null; output: string }> {
    const p = this.spawn(host, args);
    return { code: await p.exited, output: p.output() };
  }

  async stop(): Promise<void> {
    for (const p of this.procs) await killGroup(p);
    for (const h of this.hosts) await rm(h.dir, { recursive: true, force: true });
  }
}

/** The environment every host shares: the cluster, the task queue, the provider (simulator) and the bucket's keys. */
function clusterEnv(h: Harness, s3: S3Server): NodeJS.ProcessEnv {
  return {
    ...h.env,
    ...s3.env(),
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_NAMESPACE: 'default',
    DURABATCH_TASK_QUEUE: h.taskQueue,
  };
}

/** Waits until each worker process polls the task queue's activities (identities are `<pid>@<host>`). */
async function waitForPollers(h: Harness, workers: Spawned[]): Promise<void> {
  const pids = workers.map((w) => `${String(w.child.pid)}@`);
  await waitFor('the workers to poll for activities', async () => {
    const res = await h.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: h.taskQueue },
      taskQueueType: ACTIVITY_QUEUE,
    });
    const pollers = (res.pollers ?? []).map((p) => p.identity ?? '');
    return pids.every((pid) => pollers.some((p) => p.startsWith(pid)));
  });
}

/** `run --detach` arguments for a batch in the bucket. */
function runArgs(manifest: string, prefix: string, batchId: string, concurrency: number): string[] {
  return [
    'run',
    manifest,
    '--detach',
    '--storage',
    `s3://${BUCKET}/${prefix}`,
    '--provider',
    'lamina',
    '--app',
    DEMO_LAMINA_APP_ID,
    '--key-column',
    'sku',
    '--concurrency',
    String(concurrency),
    '--batch-id',
    batchId,
  ];
}

/** Every entry named `.durabatch` anywhere below `dir`. */
async function durabatchFolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => basename(e) === '.durabatch');
}

const fingerprint = (row: number) => inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(row));

function parseLines(text: string): ResultLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ResultLine);
}

describe('a batch in S3 shared by worker processes that have no folder in common', () => {
  const ROWS = 40;
  let h: Harness;
  let s3: S3Server;
  const machines = new Machines();

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
    h = await startHarness('s3-many-hosts', { runDurationMs: { min: 1000, max: 2000 } });
  });

  afterAll(async () => {
    await machines.stop();
    await h?.stop();
    await s3?.stop();
  });

  it('finishes every row once after one worker is killed and another joins, and reads the results from any host', async () => {
    const base = clusterEnv(h, s3);
    const [hostA, hostB, launcher] = [
      await machines.host('a', base),
      await machines.host('b', base),
      await machines.host('launcher', base),
    ];
    const workerA = machines.spawn(hostA, ['worker']);
    const workerB = machines.spawn(hostB, ['worker']);
    await waitForPollers(h, [workerA, workerB]);

    const batchId = uniqueId('many-hosts');
    const manifest = await writeManifest(launcher.cwd, ROWS);
    const started = await machines.run(launcher, runArgs(manifest, 'team', batchId, 8));
    expect(started.code, started.output).toBe(0);
    expect(started.output).toContain(`${batchId}\n`);

    await waitFor('some runs to be created', () => h.sim.counters().runsCreated >= 12, 60_000);
    await killGroup(workerA);
    expect(h.sim.counters().runsCreated).toBeLessThan(ROWS);
    const hostC = await machines.host('c', base);
    machines.spawn(hostC, ['worker']);

    const result = (await h.client.workflow.getHandle(batchId).result()) as BatchWorkflowOutput;
    expect(result.resultsPath).toBe(`s3://${BUCKET}/team/${batchId}/results.jsonl`);
    const storage = new S3Storage(`s3://${BUCKET}/team/${batchId}`, s3ClientFromEnv(s3.env()));
    const lines = parseLines((await storage.readText('results.jsonl')) ?? '');
    expect(lines.map((l) => l.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    const counts = h.sim.counters().runsCreatedByFingerprint;
    for (const line of lines) {
      // A kill can leave a row whose start was on the wire in doubt: it is then submit_unknown, never sent twice.
      expect(['succeeded', 'submit_unknown'], `row ${line.row}: ${JSON.stringify(line.error)}`).toContain(line.status);
      expect(counts[fingerprint(line.row)] ?? 0, `runs of row ${line.row}`).toBeLessThanOrEqual(1);
      if (line.status !== 'succeeded') continue;
      expect(counts[fingerprint(line.row)], `runs of row ${line.row}`).toBe(1);
      expect(line.outputs.length, `outputs of row ${line.row}`).toBeGreaterThan(0);
      for (const output of line.outputs) {
        const bytes = await storage.readRange(output.path ?? '', 0, (output.bytes ?? 0) + 1);
        expect(bytes.length, output.path ?? '').toBe(output.bytes);
        expect(createHash('sha256').update(bytes).digest('hex'), output.path ?? '').toBe(output.sha256);
      }
    }
    expect(lines.filter((l) => l.status === 'succeeded').length).toBeGreaterThanOrEqual(ROWS - 8);
    for (const host of [hostA, hostB, hostC, launcher]) expect(await durabatchFolders(host.dir), host.dir).toEqual([]);

    const reader = await machines.host('reader', base);
    const out = join(reader.cwd, 'results.jsonl');
    const fetched = await machines.run(reader, ['results', batchId, '--out', out]);
    expect(fetched.code, fetched.output).toBe(0);
    expect(await readResults(out)).toEqual(lines);
  });
});

describe('run-starts in doubt on a worker that is killed, settled by a worker on another host', () => {
  const ROWS = 8;
  let s3: S3Server;
  let h: Harness | undefined;
  let machines: Machines | undefined;

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
  });

  afterEach(async () => {
    await machines?.stop();
    await h?.stop();
    machines = undefined;
    h = undefined;
  });

  afterAll(async () => {
    await s3?.stop();
  });

  /**
   * Worker A alone sends every run-start; the first `drops` are accepted and their answers lost. A lists the runs to
   * reconcile them, and the simulator holds those listings, so A is killed with exactly those rows in doubt. Worker B,
   * started afterwards in a folder of its own, retries them: it only has the submit journal in the bucket to go by.
   */
  async function killedWhileInDoubt(drops: number) {
    const faults: FaultRule[] = [
      { kind: 'drop-after-accept', rate: 1, count: drops, endpoints: ['lamina.start'] },
      { kind: 'slow', rate: 1, delayMs: 60_000, endpoints: ['lamina.list'] },
    ];
    const hh = (h = await startHarness(`s3-in-doubt-${drops}`, { runDurationMs: { min: 300, max: 600 }, faults }));
    const m = (machines = new Machines());
    const base = clusterEnv(hh, s3);
    const [hostA, hostB, launcher] = [await m.host('a', base), await m.host('b', base), await m.host('launcher', base)];
    const workerA = m.spawn(hostA, ['worker']);
    await waitForPollers(hh, [workerA]);

    const batchId = uniqueId(`in-doubt-${drops}`);
    const manifest = await writeManifest(launcher.cwd, ROWS);
    const started = await m.run(launcher, runArgs(manifest, 'doubt', batchId, ROWS));
    expect(started.code, started.output).toBe(0);

    const storage = new S3Storage(`s3://${BUCKET}/doubt/${batchId}`, s3ClientFromEnv(s3.env()));
    let pending: string[] = [];
    await waitFor(
      'A to be reconciling the dropped starts, every other start answered',
      async () => {
        const c = hh.sim.counters();
        if (c.runsCreated < ROWS || (c.requests['lamina.list'] ?? 0) < drops) return false;
        pending = (await storage.list('pending')).map((name) => name.replace(/\.json$/, ''));
        return pending.length === drops;
      },
      60_000,
    );
    expect(hh.sim.counters().faultsInjected['drop-after-accept']).toBe(drops);
    await killGroup(workerA);
    hh.sim.configure({ faults: [] });
    const workerB = m.spawn(hostB, ['worker']);

    await hh.client.workflow.getHandle(batchId).result();
    const lines = parseLines((await storage.readText('results.jsonl')) ?? '');
    return { hh, batchId, storage, pending, lines, workerB, hosts: [hostA, hostB, launcher] };
  }

  /** The identity and attempt of the submitRun attempt that decided the row (the first activity of its history). */
  async function decidingSubmit(hh: Harness, batchId: string, id: string) {
    const history = await hh.client.workflow.getHandle(`${batchId}/${id}`).fetchHistory();
    const started = (history.events ?? []).find((e) => e.activityTaskStartedEventAttributes);
    return started?.activityTaskStartedEventAttributes;
  }

  /** Every row has one run and one run-start; the rows A had in doubt were settled by B from A's journal entries. */
  async function expectSettledOnB(drops: number): Promise<void> {
    const { hh, batchId, storage, pending, lines, workerB, hosts } = await killedWhileInDoubt(drops);
    expect(lines).toHaveLength(ROWS);
    const counts = hh.sim.counters().runsCreatedByFingerprint;
    for (const line of lines) expect(counts[fingerprint(line.row)] ?? 0, `runs of row ${line.row}`).toBe(1);
    expect(hh.sim.counters().requests['lamina.start']).toBe(ROWS);

    const inDoubt = lines.filter((l) => pending.includes(l.key));
    expect(inDoubt).toHaveLength(drops);
    for (const line of lines.filter((l) => !pending.includes(l.key))) {
      expect(line, `row ${line.row}`).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(line.adopted, `row ${line.row}`).toBeUndefined();
    }
    for (const line of inDoubt) {
      if (drops === 1) expect(line, `row ${line.row}`).toMatchObject({ status: 'succeeded', adopted: true });
      else expect(line.status, `row ${line.row}`).toBe('submit_unknown');
      if (line.status === 'submit_unknown') expect(line.error?.message).toMatch(/not guessing|no unowned run/);
      // B read A's journal entry from the bucket: the row's one run-start, never a second.
      const record = JSON.parse((await storage.readText(`submits/${line.key}.json`)) ?? '{}') as SubmitRecord;
      expect(record, `submit record of row ${line.row}`).toMatchObject({ attempts: 1 });
      expect(record.state).toBe(line.status === 'succeeded' ? 'created' : 'unknown');
      // The attempt that settled it ran on B, after A's attempt had timed out.
      const submit = await decidingSubmit(hh, batchId, line.key);
      expect(submit?.identity ?? '', `row ${line.row}`).toMatch(new RegExp(`^${String(workerB.child.pid)}@`));
      expect(submit?.attempt, `row ${line.row}`).toBeGreaterThan(1);
    }
    for (const host of hosts) expect(await durabatchFolders(host.dir), host.dir).toEqual([]);
  }

  it('adopts on another host the run whose answer a killed worker lost, and sends its start no second time', async () => {
    await expectSettledOnB(1);
  });

  it('ends on another host as submit_unknown the rows a killed worker had in doubt when their runs cannot be told apart', async () => {
    await expectSettledOnB(3);
  });
});
