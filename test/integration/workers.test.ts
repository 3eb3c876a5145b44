import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msToTs } from '@temporalio/common/lib/time.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchWorkflowOutput } from '../../src/shared/batch-contract.js';
import { DEMO_LAMINA_APP_ID } from '../../src/simulator/index.js';
import { batchExecutions } from '../helpers/histories.js';
import { readResults, startHarness, uniqueId, writeManifest, type Harness } from '../helpers/harness.js';
import { runCli, spawnCli, waitFor, type Spawned } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

const ROWS = 40;
/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY */
const ACTIVITY_QUEUE = 2;

describe('several durabatch worker processes on one cluster', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;
  const workers: Spawned[] = [];

  beforeAll(async () => {
    h = await startHarness('two-workers', { runDurationMs: { min: 300, max: 600 } });
    env = {
      ...h.env,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      DURABATCH_TASK_QUEUE: h.taskQueue,
    };
  });

  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGTERM');
      await w.exited;
    }
    await h?.stop();
  });

  /** Identities (`<pid>@<host>`) polling the task queue's activities right now. */
  async function activityPollers(): Promise<string[]> {
    const res = await h.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: h.taskQueue },
      taskQueueType: ACTIVITY_QUEUE,
    });
    return (res.pollers ?? []).map((p) => p.identity ?? '');
  }

  /** Who ran each activity attempt of the batch's rows: the identity on every ActivityTaskStarted event. */
  async function activityIdentities(batchId: string): Promise<string[]> {
    const items = (await batchExecutions(h.client, batchId)).filter((e) => e.type === 'itemWorkflow');
    expect(items).toHaveLength(ROWS);
    const identities: string[] = [];
    for (const item of items) {
      const history = await h.client.workflow.getHandle(item.workflowId, item.runId).fetchHistory();
      for (const event of history.events ?? []) {
        const started = event.activityTaskStartedEventAttributes;
        if (started?.identity) identities.push(started.identity);
      }
    }
    return identities;
  }

  it('shares one batch started with run --detach: both workers take rows', async () => {
    for (let i = 0; i < 2; i++) workers.push(spawnCli(['worker', '--task-queue', h.taskQueue], env));
    const pids = workers.map((w) => String(w.child.pid));
    await waitFor('both workers to poll for activities', async () => {
      const pollers = await activityPollers();
      return pids.every((pid) => pollers.some((p) => p.startsWith(`${pid}@`)));
    });

    const manifest = await writeManifest(h.dir, ROWS);
    const batchId = uniqueId('shared');
    const started = await runCli(
      [
        'run',
        manifest,
        '--provider',
        'lamina',
        '--app',
        DEMO_LAMINA_APP_ID,
        '--key-column',
        'sku',
        '--concurrency',
        '10',
        '--batch-id',
        batchId,
        '--detach',
      ],
      env,
    );
    expect(started.code, started.output).toBe(0);
    expect(started.output).toContain(`${batchId}\n`);

    const result = (await h.client.workflow.getHandle(batchId).result()) as BatchWorkflowOutput;
    expect(result.counts.succeeded).toBe(ROWS);
    const lines = await readResults(result.resultsPath);
    expect(lines.map((l) => l.key)).toEqual(Array.from({ length: ROWS }, (_, i) => `SKU-${i + 1}`));
    expect(h.sim.counters().runsCreated).toBe(ROWS);

    const identities = await activityIdentities(batchId);
    for (const pid of pids) {
      const taken = identities.filter((id) => id.startsWith(`${pid}@`)).length;
      expect(taken, `activity attempts run by worker ${pid} (of ${identities.length})`).toBeGreaterThan(0);
    }
    expect(identities.every((id) => pids.some((pid) => id.startsWith(`${pid}@`)))).toBe(true);
    for (const w of workers) expect(w.output()).toContain(`task queue ${h.taskQueue}`);
  });
});

describe('durabatch setup on a cluster', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'durabatch-setup-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('registers the search attributes on a namespace that lacks them, reached through an envconfig profile', async () => {
    const h = await startHarness('setup-namespace');
    const namespace = uniqueId('fresh');
    try {
      await h.client.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
      const configFile = join(dir, 'temporal.toml');
      await writeFile(
        configFile,
        `[profile.team]\naddress = "${temporalAddress()}"\nnamespace = "${namespace}"\n[profile.default]\naddress = "127.0.0.1:1"\n`,
      );
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TEMPORAL_CONFIG_FILE: configFile,
        TEMPORAL_PROFILE: 'team',
        HOME: dir,
      };
      delete env.TEMPORAL_ADDRESS;
      delete env.TEMPORAL_NAMESPACE;
      let first = { code: null as number | null, output: '' };
      // A new namespace takes a moment to reach every service of the dev server.
      await waitFor('the new namespace to accept setup', async () => {
        first = await runCli(['setup'], env);
        return first.code === 0;
      });
      expect(first.output).toContain(
        `registered DurabatchBatchId, DurabatchProvider, DurabatchItemStatus on ${temporalAddress()}, namespace ${namespace}`,
      );
      const again = await runCli(['setup'], env);
      expect(again.code, again.output).toBe(0);
      expect(again.output).toContain('already registered');

      const wrong = await runCli(['setup'], { ...env, TEMPORAL_PROFILE: 'nope' });
      expect(wrong.code).toBe(2);
      expect(wrong.output).toContain("cannot load profile 'nope'");
    } finally {
      await h.stop();
    }
  });
});
