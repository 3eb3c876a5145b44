import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, expect } from 'vitest';
import { workflowBundle } from '../../src/worker.js';
import type { batchWorkflow } from '../../src/workflows/index.js';
import type { FakeRows } from './fake-activities.js';
import { createTimeSkippingEnv } from './time-skipping.js';
import { batchInput, type BatchChoice } from './workflow-inputs.js';

export type BatchHandle = WorkflowHandleWithFirstExecutionRunId<typeof batchWorkflow>;

/** A test's task queue, and a batch started on it. */
export interface TestRun {
  taskQueue: string;
  /** Starts a batch whose id is the task queue's name. */
  startBatch(spec: Omit<BatchChoice, 'batchId'>): Promise<BatchHandle>;
}

/**
 * Workflow tests of one file: one time-skipping test server and one workflow bundle for the file, and per test a
 * worker on a task queue named after the test that serves the workflows and a fake's activities.
 */
export function workflowTests() {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  let failure: unknown;
  beforeAll(async () => {
    // Kept for each test to throw: a missing test server fails every test (a failed beforeAll skips them).
    [env, bundle] = await Promise.all([createTimeSkippingEnv(), workflowBundle()]).catch((err: unknown) => {
      failure = err;
      return [undefined, undefined];
    });
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });
  const ready = () => {
    if (failure !== undefined) throw failure;
    if (!env || !bundle) throw new Error('the test server or the workflow bundle did not start (see beforeAll)');
    return { env, bundle };
  };

  return {
    get client() {
      return ready().env.client;
    },
    /**
     * Moves workflow time on by `ms`: at once while no activity runs, else as fast as the wall clock (the test
     * server skips no time while an activity task is out).
     */
    skipTime(ms: number): Promise<void> {
      return ready().env.sleep(ms);
    },
    /** Runs `body` while a worker serves the workflows and `fake`'s activities; releases the fake's held runs after. */
    async withWorker<T>(fake: FakeRows, body: (run: TestRun) => Promise<T>): Promise<T> {
      const { env, bundle } = ready();
      const taskQueue = slug(expect.getState().currentTestName ?? 'workflow-test');
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: fake.activities(),
      });
      const run: TestRun = {
        taskQueue,
        startBatch: (spec) =>
          env.client.workflow.start<typeof batchWorkflow>('batchWorkflow', {
            workflowId: taskQueue,
            taskQueue,
            args: [batchInput({ ...spec, batchId: taskQueue })],
          }),
      };
      // Held runs end before the worker shuts down: it waits for every activity it is running.
      return worker.runUntil(() => body(run).finally(() => fake.releaseAll()));
    },
  };
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100);
}
