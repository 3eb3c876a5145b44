import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  deprecatePatch,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { cancelledError, cancelUnconfirmedError, failedOutcome, statusOf, type Outcome } from './item-outcome.js';
import {
  DEFAULT_POLL_INTERVAL_MS,
  deliveryOf,
  webhookFallbackOf,
  webhookUrlFor,
  type DeliveryMode,
} from '../shared/delivery.js';
import { FAILURE_TYPES } from '../shared/failures.js';
import { itemDoneSignal, stopSignal, webhookArrivedUpdate } from '../shared/messages.js';
import { itemInputOf, type LegacyItemInput } from '../shared/legacy-inputs.js';
import { ITEM_STATUS_KEY } from '../shared/search-attributes.js';
import { hasOutputs, type FinalItemStatus, type ItemStatus } from '../shared/status.js';
import type { ItemWorkflowInput, ItemWorkflowOutput, WebhookArrived } from '../shared/item-contract.js';
import type { OutputRecord } from '../shared/results-format.js';
import type { RunSnapshotLite, SubmitRunOutput } from '../activities/contracts.js';

type Activities = ReturnType<typeof createActivities>;

// Each summary is what the Web UI shows on the activity.
const { submitRun } = proxyActivities<Activities>({
  summary: 'start the provider run, at most once',
  // No heartbeat timeout: a worker cut off from Temporal must not have a second attempt started beside its POST.
  // The attempt ends itself before this start-to-close (see attempt-budget.ts), so a lost worker is noticed here.
  startToCloseTimeout: '30s',
  // Only failures where the provider surely created nothing are retryable (the activity decides).
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s' },
});

const { collectOutputs } = proxyActivities<Activities>({
  summary: 'download the outputs and their sha256',
  startToCloseTimeout: '10m',
  heartbeatTimeout: '60s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 20 },
});

const { cancelRun } = proxyActivities<Activities>({
  summary: 'cancel the provider run',
  startToCloseTimeout: '30s',
  // A stopping batch waits for its cancels: a provider that stays down must not hold it for longer than this.
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

// A local activity: it runs inside the workflow task that follows the last step, writes the result line and
// signals the partition, so finishing a row costs no extra round trip to the server.
const { recordResult } = proxyLocalActivities<Activities>({
  summary: "write the row's result line and tell the partition",
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * One manifest row: submit its run once, wait for it, download its outputs, record its result line, then tell
 * the partition. Its id `<batchId>/<rowId>` gives the row an identity in the UI and makes Temporal refuse a
 * second copy of it.
 */
export async function itemWorkflow(raw: ItemWorkflowInput | LegacyItemInput): Promise<ItemWorkflowOutput> {
  const input = itemInputOf(raw);
  const webhook: WebhookState = { token: null, arrived: false };
  // Registered before anything else, so a webhook that beats the submit's own answer is not lost.
  setHandler(
    webhookArrivedUpdate,
    () => {
      webhook.arrived = true;
    },
    {
      // A refused Update leaves no event in the history: guessed URLs cost the row nothing.
      validator: (arrived: WebhookArrived) => {
        if (webhook.token === null || arrived.token !== webhook.token) throw new Error('unknown webhook for this row');
      },
    },
  );
  const result = await runItem(input, webhook);
  setStatus(result.status);
  return { row: input.row, id: input.id, status: result.status };
}

/** What the row's run-start left for its result line. */
interface Started {
  submittedAt: string | null;
  attempts: number;
  runId: string | null;
  adopted: boolean;
}

/** With --delivery webhook: the row's secret token, and whether the receiver has signalled since the last read. */
interface WebhookState {
  token: string | null;
  arrived: boolean;
}

async function runItem(input: ItemWorkflowInput, webhook: WebhookState): Promise<{ status: FinalItemStatus }> {
  const started: Started = { submittedAt: null, attempts: 0, runId: null, adopted: false };
  let outcome: Outcome;
  try {
    outcome = await submitAndWait(input, started, webhook);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    return CancellationScope.nonCancellable(() => cancelItem(input, started));
  }
  await CancellationScope.nonCancellable(() => record(input, outcome, started));
  return outcome;
}

/**
 * The row was cancelled: cancel its run at the provider, if it has one, and record what the run became. A run that
 * finished before the cancel reached it (say, while its outputs were downloading) is paid for: the row keeps it and
 * its outputs. Histories from before the read-back have no answer from cancelRun, so they record `cancelled`.
 */
async function cancelItem(input: ItemWorkflowInput, started: Started): Promise<Outcome> {
  let outcome: Outcome = {
    status: 'cancelled',
    runId: started.runId,
    error: cancelledError(),
    outputs: [],
    records: null,
  };
  if (started.runId) {
    let after: RunSnapshotLite | null | undefined;
    try {
      after = await cancelRun({ runId: started.runId, settings: input.settings });
    } catch (err) {
      // Refused for good (a revoked key, say) or out of time: the row is still recorded, with its run id and what to
      // check, so that it is neither lost nor left hanging. (A deprecated patch: see docs/decisions/0004.)
      deprecatePatch('cancel-unconfirmed-recorded');
      outcome = { ...outcome, error: cancelUnconfirmedError(err, started.runId) };
    }
    if (after?.terminal && after.state !== 'cancelled') outcome = await finish(input, after);
  }
  await record(input, outcome, started);
  return outcome;
}

async function submitAndWait(input: ItemWorkflowInput, started: Started, webhook: WebhookState): Promise<Outcome> {
  const byWebhook = deliveryOf(input.settings) === 'webhook';
  let webhookUrl: string | undefined;
  if (byWebhook) {
    if (input.settings.webhookBaseUrl === undefined) {
      const message = '--delivery webhook needs --webhook-base-url (where the provider can reach the receiver)';
      return {
        status: 'failed',
        runId: null,
        error: { code: FAILURE_TYPES.configuration, message },
        outputs: [],
        records: null,
      };
    }
    webhook.token = uuid4().replace(/-/g, '');
    webhookUrl = webhookUrlFor(
      input.settings.webhookBaseUrl,
      input.settings.provider,
      workflowInfo().workflowId,
      webhook.token,
    );
  }
  let submitted: SubmitRunOutput;
  try {
    // Never cut a run-start short: a cancelled POST could leave a billed run nobody tracks. A cancellation that
    // arrives meanwhile takes effect right after, and then cancels the run at the provider.
    submitted = await CancellationScope.nonCancellable(() =>
      submitRun({
        row: input.row,
        id: input.id,
        storage: input.batch.storage,
        settings: input.settings,
        ...(webhookUrl !== undefined ? { webhookUrl } : {}),
      }),
    );
  } catch (err) {
    return failedOutcome(err, null);
  }
  started.submittedAt = submitted.submittedAt;
  started.attempts = submitted.attempts;
  if (submitted.outcome === 'unknown') {
    const error = { code: 'SUBMIT_UNKNOWN', message: submitted.reason };
    return { status: 'submit_unknown', runId: null, error, outputs: [], records: null };
  }
  started.runId = submitted.runId;
  started.adopted = submitted.adopted === true;
  setStatus('running');
  let snapshot: RunSnapshotLite;
  try {
    if (submitted.snapshot?.terminal) snapshot = submitted.snapshot;
    else if (byWebhook) snapshot = await awaitWebhook(input, submitted.runId, webhook);
    else snapshot = await awaitTerminal(input, submitted.runId);
  } catch (err) {
    return failedOutcome(err, submitted.runId);
  }
  return finish(input, snapshot);
}

/**
 * From item version 2 on, the activity that sees the run finish also downloads its outputs (one activity task and
 * one workflow task fewer per row); rows of version 1 download in their own `collectOutputs`. The version comes in
 * the row's input, not from `patched()`: a patch costs every row a marker and a search-attribute upsert.
 */
export const ITEM_VERSION = 2;

function collectsWithWait(input: ItemWorkflowInput): boolean {
  return (input.version ?? 1) >= 2;
}

/** The extra start-to-close an awaitRun gets for downloading the outputs, as long as collectOutputs gets. */
const COLLECT_MS = 10 * 60_000;

async function awaitTerminal(input: ItemWorkflowInput, runId: string): Promise<RunSnapshotLite> {
  const collect = collectsWithWait(input);
  const args = {
    runId,
    id: input.id,
    storage: input.batch.storage,
    settings: input.settings,
    ...(collect ? { collect } : {}),
  };
  const first = await awaitActivity(input, input.settings.itemTimeoutMs, collect).awaitRun({
    ...args,
    returnOnNeedsInput: true,
  });
  if (first.terminal || first.state !== 'needs_input') return first;
  // The run waits for a person (Artu `waiting_for_input`): show it on the row, then keep waiting until the
  // input deadline; a run still waiting then ends the row as `needs_input`.
  setStatus('needs_input');
  const deadline = input.settings.inputDeadlineMs ?? input.settings.itemTimeoutMs;
  try {
    const done = await awaitActivity(input, deadline, collect).awaitRun(args);
    setStatus('running');
    return done;
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof TimeoutFailure) {
      return { ...first, errorMessage: `the run was still waiting for input after ${Math.round(deadline / 1000)} s` };
    }
    throw err;
  }
}

/**
 * --delivery webhook: sleep until the receiver signals that the run ended, or until the fallback timer fires, then
 * read the run once. A webhook is only a wake-up call (the read decides), so a forged, early or duplicate one costs
 * one read, and a lost one costs the fallback time, never the row.
 */
async function awaitWebhook(input: ItemWorkflowInput, runId: string, webhook: WebhookState): Promise<RunSnapshotLite> {
  // Never re-read faster than the provider's polling guidance, whatever the setting says.
  const fallbackMs = Math.max(webhookFallbackOf(input.settings), DEFAULT_POLL_INTERVAL_MS[input.settings.provider]);
  const deadline = Date.now() + input.settings.itemTimeoutMs;
  const collect = collectsWithWait(input);
  for (;;) {
    const remaining = deadline - Date.now();
    // A read that keeps failing gives up with the item's deadline, like the other delivery modes.
    const { awaitRun } = proxyActivities<Activities>({
      summary: 'read the run after its webhook (or the fallback timer)',
      startToCloseTimeout: 60_000 + (collect ? COLLECT_MS : 0),
      heartbeatTimeout: '20s',
      scheduleToCloseTimeout: Math.max(remaining, 60_000),
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
    });
    if (remaining <= 0) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.runTimedOut,
        nonRetryable: true,
        message: `run ${runId} had not finished after ${Math.round(input.settings.itemTimeoutMs / 1000)} s (--item-timeout)`,
      });
    }
    await condition(() => webhook.arrived, Math.min(fallbackMs, remaining));
    webhook.arrived = false;
    const snapshot = await awaitRun({
      runId,
      id: input.id,
      storage: input.batch.storage,
      settings: input.settings,
      once: true,
      ...(collect ? { collect } : {}),
    });
    if (snapshot.terminal) return snapshot;
  }
}

const WAIT_SUMMARIES: Record<DeliveryMode, string> = {
  wait: "wait for the run (the provider's long-poll)",
  stream: "follow the run's event stream (progress on the heartbeat)",
  webhook: 'read the run',
  poll: "poll the run's status",
};

function awaitActivity(input: ItemWorkflowInput, scheduleToCloseMs: number, collect: boolean) {
  // A stream stays open until the provider's own ~10-minute timeout event; the other modes hold one request.
  const delivery = deliveryOf(input.settings);
  const stream = delivery === 'stream';
  const holdMs = stream ? 11 * 60_000 : (input.settings.waitSeconds + 30) * 1000;
  return proxyActivities<Activities>({
    summary: WAIT_SUMMARIES[delivery] + (collect ? ', then download its outputs' : ''),
    startToCloseTimeout: holdMs + (collect ? COLLECT_MS : 0),
    heartbeatTimeout: '20s',
    scheduleToCloseTimeout: scheduleToCloseMs,
    // The activity fails with RunNotFinished (and its own nextRetryDelay) while the run is still going: retries
    // are the poll loop, and they add no history events.
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
}

async function finish(input: ItemWorkflowInput, snapshot: RunSnapshotLite): Promise<Outcome> {
  const status = statusOf(snapshot);
  const error = snapshot.errorMessage
    ? { code: `RUN_${snapshot.providerStatus.toUpperCase()}`, message: snapshot.errorMessage }
    : null;
  let outputs: OutputRecord[] = snapshot.collected ?? [];
  if (snapshot.collected === undefined && hasOutputs(snapshot)) {
    try {
      // The run is finished and paid for: fetch its outputs even if the batch is being cancelled.
      outputs = await CancellationScope.nonCancellable(() =>
        collectOutputs({
          runId: snapshot.runId,
          id: input.id,
          storage: input.batch.storage,
          settings: input.settings,
          outputs: snapshot.outputs,
        }),
      );
    } catch (err) {
      return failedOutcome(err, snapshot.runId);
    }
  }
  return {
    status,
    runId: snapshot.runId,
    error: status === 'succeeded' ? null : error,
    outputs,
    records: snapshot.records,
  };
}

async function record(input: ItemWorkflowInput, outcome: Outcome, started: Started): Promise<void> {
  try {
    await writeResult(input, outcome, started);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (!(cause instanceof ApplicationFailure) || cause.type !== FAILURE_TYPES.storageElsewhere) throw err;
    await storageElsewhere(input, cause.message);
  }
}

/**
 * The batch's data is on another host's disk: this row cannot be recorded here. It stops the batch with the reason
 * (no more rows start; the batch names the hosts and the fix) and tells its partition it ended failed, so that
 * nothing waits on it. Nothing was sent: the run-start refused to act before reading the row's journal.
 */
async function storageElsewhere(input: ItemWorkflowInput, message: string): Promise<void> {
  await getExternalWorkflowHandle(input.batch.batchId)
    .signal(stopSignal, { reason: message })
    .catch(() => undefined);
  await getExternalWorkflowHandle(input.partitionWorkflowId)
    .signal(itemDoneSignal, { row: input.row, id: input.id, status: 'failed' })
    .catch(() => undefined);
}

async function writeResult(input: ItemWorkflowInput, outcome: Outcome, started: Started): Promise<void> {
  await recordResult({
    storage: input.batch.storage,
    id: input.id,
    partitionWorkflowId: input.partitionWorkflowId,
    line: {
      row: input.row,
      key: input.key,
      status: outcome.status,
      provider: input.settings.provider,
      runId: outcome.runId,
      attempts: started.attempts,
      error: outcome.error,
      outputs: outcome.outputs,
      submittedAt: started.submittedAt,
      finishedAt: new Date(Date.now()).toISOString(),
      ...(outcome.records ? { records: outcome.records } : {}),
      ...(started.adopted ? { adopted: true as const } : {}),
    },
  });
}

function setStatus(status: ItemStatus): void {
  upsertSearchAttributes([{ key: ITEM_STATUS_KEY, value: status }]);
}

export function itemWorkflowId(batchId: string, id: string): string {
  return `${batchId}/${id}`;
}
