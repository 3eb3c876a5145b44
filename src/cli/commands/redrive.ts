import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  defaultPayloadConverter,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Payload,
} from '@temporalio/common';
import type { RedriveStatus } from '../../shared/redrive.js';
import { BATCH_ID_KEY, PROVIDER_KEY } from '../../shared/search-attributes.js';
import type { BatchWorkflowInput, BatchWorkflowOutput } from '../../shared/batch-contract.js';
import { batchInputOf, type LegacyBatchInput } from '../../shared/legacy-inputs.js';
import type { batchWorkflow } from '../../workflows/index.js';
import { EXIT, usageError } from '../errors.js';
import { openSession } from '../session.js';
import { startReceiverForTemporal, type ReceiverForTemporal } from '../webhook-receiver.js';
import { deliveryOf } from '../../shared/delivery.js';
import { printSummary } from './summary.js';

export interface RedriveOptions {
  failed?: boolean | undefined;
  unknown?: boolean | undefined;
}

/** The row states a redrive runs again: `--failed` and/or `--unknown`; neither means `--failed`. */
export function redriveStatuses(opts: RedriveOptions): RedriveStatus[] {
  const statuses: RedriveStatus[] = [];
  if (opts.failed || !opts.unknown) statuses.push('failed');
  if (opts.unknown) statuses.push('submit_unknown');
  return statuses;
}

/**
 * Starts a new run of a finished batch that runs again only the rows recorded with `statuses`, in the same storage;
 * the other rows keep their results and every row is exported again. Refused while the batch still runs.
 */
export async function startRedrive(client: Client, taskQueue: string, batchId: string, statuses: RedriveStatus[]) {
  const handle = client.workflow.getHandle<typeof batchWorkflow>(batchId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw usageError(`no batch '${batchId}': check the id with 'durabatch status'`);
    throw err;
  }
  if (description.status.name === 'RUNNING') {
    throw usageError(`batch '${batchId}' is still running: wait for it, or stop it with 'durabatch cancel ${batchId}'`);
  }
  const previous = await startInput(handle);
  const input: BatchWorkflowInput = { ...previous, redrive: { statuses } };
  try {
    return await client.workflow.start<typeof batchWorkflow>('batchWorkflow', {
      workflowId: batchId,
      // Where the batch ran: its workers are there, whatever this shell's DURABATCH_TASK_QUEUE says.
      taskQueue: description.taskQueue || taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `redrive of ${input.source.name} (${statuses.join(', ')} rows) · ${input.item.provider} app ${input.item.app}`,
      // The same memo as the first run (rows, storage…): status and results find the batch from its id alone.
      memo: description.memo ?? {},
      typedSearchAttributes: [
        { key: BATCH_ID_KEY, value: batchId },
        { key: PROVIDER_KEY, value: input.item.provider },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw usageError(`batch '${batchId}' was started again meanwhile: wait for it, then redrive`);
    }
    throw err;
  }
}

/** The input the batch's latest run was started with (its first history event). */
async function startInput(handle: {
  fetchHistory(): Promise<{ events?: unknown[] | null }>;
}): Promise<BatchWorkflowInput> {
  const history = await handle.fetchHistory();
  const first = history.events?.[0] as
    { workflowExecutionStartedEventAttributes?: { input?: { payloads?: Payload[] | null } | null } | null } | undefined;
  const payload = first?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error('the batch history has no start input');
  // A batch started by 0.1 has its settings in the flat shape of then.
  const input = batchInputOf(defaultPayloadConverter.fromPayload<BatchWorkflowInput | LegacyBatchInput>(payload));
  const { redrive: _previousRedrive, ...rest } = input;
  return rest;
}

/**
 * `durabatch redrive <batchId> [--failed] [--unknown]`: runs again the rows of a finished batch that failed
 * (and/or whose submit stayed unknown), merges their new results into the same results files, and prints the
 * summary. `--unknown` may pay a second time for a run the provider did create: check the provider first.
 */
export async function redriveCommand(
  batchId: string,
  opts: RedriveOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const session = await openSession({ worker: true, log, env });
  let receiver: ReceiverForTemporal | null = null;
  try {
    const statuses = redriveStatuses(opts);
    receiver = session.embedded ? await embeddedReceiver(session.client, batchId, env, log) : null;
    const handle = await startRedrive(session.client, session.settings.taskQueue, batchId, statuses);
    log(`batch ${batchId}: running the ${statuses.join(' and ')} rows again`);
    const result: BatchWorkflowOutput = await handle.result();
    printSummary(result);
    return result.overThreshold || result.stopped ? EXIT.failures : EXIT.ok;
  } finally {
    await receiver?.close();
    await session.close();
  }
}

/**
 * In embedded mode a `--delivery webhook` batch had its receiver inside `run`: the redrive runs it again, on the
 * same loopback port its rows' webhook URLs name (a cluster's `durabatch webhooks` keeps running on its own).
 */
async function embeddedReceiver(
  client: Client,
  batchId: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<ReceiverForTemporal | null> {
  const previous = await startInput(client.workflow.getHandle(batchId)).catch(() => null);
  const base = previous?.item.webhookBaseUrl;
  if (!previous || deliveryOf(previous.item) !== 'webhook' || base === undefined) return null;
  const url = new URL(base);
  if (url.hostname !== '127.0.0.1' || url.port === '') return null;
  return startReceiverForTemporal({
    client,
    host: '127.0.0.1',
    port: Number(url.port),
    env,
    log: (line) => log(`webhooks: ${line}`),
  });
}
