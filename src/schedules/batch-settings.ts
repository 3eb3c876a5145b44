import { absolutePath } from '../config.js';
import type { RunOptions } from '../cli/commands/run.js';
import { DEFAULT_PAGE_SIZE } from '../shared/constants.js';
import { DEFAULT_WEBHOOK_FALLBACK_MS } from '../shared/delivery.js';
import type { BatchSettings } from '../shared/schedule.js';

/** The options of `run` that shape a batch, without those that name one batch (`--batch-id`, `--detach`). */
export type BatchOptions = Omit<RunOptions, 'batchId' | 'detach' | 'webhookPort'>;

/**
 * The id-free part of a batch's input from `run`'s options: what every fire of a schedule shares. The batch id, the
 * manifest path and the storage folder are added per batch (by `run`, or by scheduledBatchWorkflow at fire time).
 */
export function batchSettings(opts: BatchOptions): BatchSettings {
  return {
    omit: opts.omit,
    map: opts.map,
    concurrency: opts.concurrency,
    pageSize: opts.pageSize ?? DEFAULT_PAGE_SIZE,
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.keyColumn ? { keyColumn: opts.keyColumn } : {}),
    ...(opts.maxFailures ? { maxFailures: opts.maxFailures } : {}),
    ...(opts.out ? { outDir: absolutePath(opts.out) } : {}),
    ...(opts.partitions ? { partitions: opts.partitions } : {}),
    item: {
      provider: opts.provider,
      app: opts.app,
      waitSeconds: opts.waitSeconds,
      itemTimeoutMs: opts.itemTimeout,
      onAmbiguousSubmit: opts.onAmbiguousSubmit,
      ...(opts.inputDeadline !== undefined ? { inputDeadlineMs: opts.inputDeadline } : {}),
      ...(opts.pollInterval !== undefined ? { pollIntervalMs: opts.pollInterval } : {}),
      ...(opts.maxFailures ? { reportFailures: true } : {}),
      ...(opts.delivery ? { delivery: opts.delivery } : {}),
      ...(opts.webhookBaseUrl
        ? {
            webhookBaseUrl: opts.webhookBaseUrl,
            webhookFallbackMs: opts.webhookFallbackAfter ?? DEFAULT_WEBHOOK_FALLBACK_MS,
          }
        : {}),
    },
  };
}
