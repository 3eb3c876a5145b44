import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { basename, dirname, join } from 'node:path';
import { isS3Location, openStorage, RESULTS_CSV_FILE, RESULTS_JSONL_FILE, SUMMARY_FILE } from '../../storage/index.js';
import { fetchAll } from '../fetch-results.js';
import { absolutePath, temporalSettings } from '../../config.js';
import { ARTU_DEFAULT_BASE_URL, LAMINA_DEFAULT_BASE_URL, MAGNIFIC_DEFAULT_BASE_URL } from '../../providers/index.js';
import { BATCH_ID_KEY, PROVIDER_KEY } from '../../shared/search-attributes.js';
import type { ProviderName } from '../../shared/constants.js';
import type { BatchSpec } from '../../shared/batch-spec.js';
import { batchMemo } from '../../shared/batch-memo.js';
import { batchSettingsOf, type RunOptions } from '../command-options.js';
import { DEFAULT_WEBHOOK_PORT, deliveryOf, deliveryProblem } from '../../shared/delivery.js';
import type { BatchWorkflowInput, BatchWorkflowOutput } from '../../shared/batch-contract.js';
import type { batchWorkflow } from '../../workflows/index.js';
import { deriveBatchId } from '../batch-id.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { validateLocally } from '../local-validation.js';
import { batchStorage, putManifest, storageProblem, storageRoot } from '../storage-root.js';
import { countWaitingForInput, ProgressView, snapshotBatch } from '../progress.js';
import { openSession, type Session } from '../session.js';
import { printSummary } from './summary.js';
import { plural } from '../../shared/plural.js';

const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * `durabatch run`: validates the manifest, starts (or attaches to) the batch, shows live progress until it ends,
 * prints the summary and returns the exit code. Without TEMPORAL_ADDRESS it runs the embedded dev server and an
 * in-process worker; running the same command again resumes the same batch.
 */
export async function runCommand(
  manifest: string,
  opts: RunOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const manifestPath = absolutePath(manifest);
  if (opts.batchId !== undefined && !BATCH_ID_PATTERN.test(opts.batchId)) {
    throw usageError(`--batch-id '${opts.batchId}' may use only letters, digits, '.', '_' and '-' (at most 100)`);
  }
  if (opts.delivery !== undefined) {
    const problem = deliveryProblem(opts.provider, opts.delivery);
    if (problem) throw usageError(problem);
  }
  const byWebhook =
    deliveryOf({ provider: opts.provider, ...(opts.delivery ? { delivery: opts.delivery } : {}) }) === 'webhook';
  if (byWebhook && opts.webhookBaseUrl === undefined && temporalSettings(env).address) {
    throw usageError(
      '--delivery webhook against a Temporal cluster needs --webhook-base-url: the address where the provider reaches a running `durabatch webhooks` receiver',
    );
  }
  // Before anything starts: embedded mode would start a dev server only to refuse.
  if (opts.detach && !temporalSettings(env).address) {
    throw usageError('--detach needs a Temporal cluster (set TEMPORAL_ADDRESS) with a `durabatch worker` running');
  }
  const providerHost = providerHostOf(opts.provider, env);
  if (byWebhook && opts.webhookBaseUrl === undefined && !isLoopbackHost(providerHost)) {
    // The in-process receiver listens on 127.0.0.1: a provider on the internet cannot reach it.
    throw usageError(
      `--delivery webhook with ${opts.provider} at ${providerHost} needs --webhook-base-url: a public address (a tunnel such as https://abc.ngrok.app) that forwards to port ${opts.webhookPort ?? DEFAULT_WEBHOOK_PORT}`,
    );
  }

  const root = storageRoot(opts, env, dirname(manifestPath));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const settings = batchSettingsOf(opts);
  const checked = await validateLocally({ manifestPath, spec: settings.manifest, item: settings.item, env });
  if (checked.appUncheckedReason)
    log(`note: app parameters not checked here (${checked.appUncheckedReason}); the worker checks them`);
  const batchId = opts.batchId ?? (await deriveBatchId(manifestPath, settings.item, settings.manifest));
  const storage = batchStorage(root, batchId);
  const name = basename(manifestPath);
  const key = await putManifest(storage, manifestPath, name);
  const session = await openSession({
    worker: !opts.detach,
    log,
    env,
    ...(byWebhook ? { webhookReceiverPort: opts.webhookPort ?? DEFAULT_WEBHOOK_PORT } : {}),
  });
  try {
    const webhookBaseUrl = opts.webhookBaseUrl ?? session.webhookReceiverUrl ?? undefined;
    const input: BatchSpec = {
      ...settings,
      ...(webhookBaseUrl ? { item: { ...settings.item, webhookBaseUrl } } : {}),
      batchId,
      source: { location: manifestPath, name, key },
      storage,
    };
    const handle = await startBatch(session, input, checked.rowCount);
    log(
      `batch ${batchId}: ${plural(checked.rowCount, 'row')} of ${input.source.name} on ${opts.provider} app ${opts.app}`,
    );
    if (session.uiUrl)
      log(
        `Temporal Web UI: ${session.uiUrl}/namespaces/${session.settings.namespace}/workflows/${encodeURIComponent(batchId)}`,
      );
    if (opts.detach) {
      if (opts.out && isS3Location(storage)) {
        log(
          `note: --out is filled when run waits; fetch the files later with durabatch results ${batchId} --outputs --out DIR`,
        );
      }
      process.stdout.write(`${batchId}\n`);
      return EXIT.ok;
    }
    const watched = await watch(session, handle, batchId, opts.provider === 'artu');
    const result =
      opts.out && isS3Location(storage) ? await fetchOut(storage, absolutePath(opts.out), watched) : watched;
    printSummary(result);
    return result.overThreshold || result.stopped ? EXIT.failures : EXIT.ok;
  } finally {
    await session.close();
  }
}

/** The host the provider's adapter talks to (its *_BASE_URL, or the public default). */
function providerHostOf(provider: ProviderName, env: NodeJS.ProcessEnv): string {
  const fromEnv = { lamina: env.LAMINA_BASE_URL, artu: env.ARTU_BASE_URL, magnific: env.MAGNIFIC_BASE_URL }[provider];
  const defaults = {
    lamina: LAMINA_DEFAULT_BASE_URL,
    artu: ARTU_DEFAULT_BASE_URL,
    magnific: MAGNIFIC_DEFAULT_BASE_URL,
  };
  try {
    return new URL(fromEnv?.trim() || defaults[provider]).hostname;
  } catch {
    return '';
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Starts the batch workflow, or attaches to it when it is already running (same id). */
async function startBatch(
  session: Session,
  input: BatchWorkflowInput,
  rows: number,
): Promise<WorkflowHandle<typeof batchWorkflow>> {
  try {
    return await session.client.workflow.start<typeof batchWorkflow>('batchWorkflow', {
      workflowId: input.batchId,
      taskQueue: session.settings.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      staticSummary: `${input.source.name} · ${plural(rows, 'row')} · ${input.item.provider} app ${input.item.app} · concurrency ${input.tuning.concurrency}`,
      memo: batchMemo(input, { rows }),
      typedSearchAttributes: [
        { key: BATCH_ID_KEY, value: input.batchId },
        { key: PROVIDER_KEY, value: input.item.provider },
      ],
    });
  } catch (err) {
    // The batch already completed: show its result instead of paying again (a failed one may start anew).
    if (err instanceof WorkflowExecutionAlreadyStartedError) return session.client.workflow.getHandle(input.batchId);
    throw err;
  }
}

async function watch(
  session: Session,
  handle: WorkflowHandle<typeof batchWorkflow>,
  batchId: string,
  countInputWaits: boolean,
): Promise<BatchWorkflowOutput> {
  const view = new ProgressView(process.stderr, batchId);
  let finished = false;
  const result = handle.result().finally(() => (finished = true));
  let ticks = 0;
  let waiting: number | null = null;
  const ticker = (async () => {
    while (!finished) {
      await Promise.race([sleep(1000), result.catch(() => undefined)]);
      if (finished) break;
      const snap = await snapshotBatch(session.client, batchId).catch(() => null);
      if (snap && countInputWaits && ++ticks % 5 === 1) waiting = await countWaitingForInput(session.client, batchId);
      if (snap) snap.waitingForInput = waiting;
      if (snap && !finished) view.update(snap);
    }
  })();
  try {
    const done = await Promise.race([
      result,
      session.workerDone.then(() => Promise.reject(new Error('the in-process worker stopped'))),
    ]);
    finished = true;
    await ticker;
    view.update({ stage: 'done', rowCount: done.rowCount, counts: done.counts, inFlight: 0 });
    return done;
  } catch (err) {
    throw explainFailure(err);
  } finally {
    finished = true;
    await ticker;
    view.stop();
  }
}

function explainFailure(err: unknown): unknown {
  if (!(err instanceof WorkflowFailedError)) return err;
  const cause = err.cause as (Error & { type?: string }) | undefined;
  if (cause?.type === 'ManifestInvalid') return new CliError(cause.message, EXIT.usage);
  return new CliError(`the batch failed: ${cause?.message ?? err.message}`, EXIT.failures);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** With S3 storage, --out is filled here, on the machine that ran `run`: results, summary and every output. */
async function fetchOut(storage: string, out: string, result: BatchWorkflowOutput): Promise<BatchWorkflowOutput> {
  await fetchAll(openStorage(storage), out).catch((err: unknown) => {
    throw storageProblem(err, `fetch the files of batch ${result.batchId} into ${out}`, storage);
  });
  return {
    ...result,
    outDir: out,
    resultsPath: join(out, RESULTS_JSONL_FILE),
    csvPath: join(out, RESULTS_CSV_FILE),
    summaryPath: join(out, SUMMARY_FILE),
  };
}
