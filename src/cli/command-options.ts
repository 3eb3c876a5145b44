import { z } from 'zod';
import { absolutePath } from '../config.js';
import { OVERLAP_WORDS, type OverlapWord } from '../schedules/spec.js';
import type { FaultRule } from '../simulator/types.js';
import { MANIFEST_FORMATS, type BatchSettings, type ManifestSpec } from '../shared/batch-spec.js';
import { DEFAULT_PAGE_SIZE } from '../shared/constants.js';
import { PROVIDERS } from '../shared/constants.js';
import { DELIVERY_MODES } from '../shared/delivery.js';
import { usageError } from './errors.js';

/**
 * What commander hands each command's action, checked (not cast) against one zod schema per command, and the one
 * place a batch's settings are built from it. program.ts declares the flags; these schemas say what their values
 * must be once parsed, so a flag added there without a field here fails loudly instead of going missing.
 */

const positiveInt = z.number().int().positive();
const duration = z.number().positive();

/** `run`, `validate` and `schedule create`: which app, and how manifest columns become its inputs. */
export const manifestOptionsSchema = z.object({
  provider: z.enum(PROVIDERS),
  app: z.string().min(1),
  keyColumn: z.string().min(1).optional(),
  omit: z.array(z.string()),
  map: z.record(z.string(), z.string()),
  format: z.enum(MANIFEST_FORMATS).optional(),
});

/** `run` and `schedule create`: the options that shape a batch. */
export const batchOptionsSchema = manifestOptionsSchema.extend({
  concurrency: positiveInt,
  out: z.string().optional(),
  maxFailures: z.string().optional(),
  onAmbiguousSubmit: z.enum(['hold', 'resubmit']),
  storage: z.string().min(1).optional(),
  dataDir: z.string().min(1).optional(),
  waitSeconds: positiveInt,
  itemTimeout: duration,
  inputDeadline: duration.optional(),
  pollInterval: duration.optional(),
  delivery: z.enum(DELIVERY_MODES).optional(),
  webhookBaseUrl: z.string().optional(),
  webhookFallbackAfter: duration.optional(),
  partitions: positiveInt.optional(),
  pageSize: positiveInt.optional(),
});

export const runOptionsSchema = batchOptionsSchema.extend({
  batchId: z.string().optional(),
  detach: z.boolean().optional(),
  webhookPort: z.number().int().min(0).max(65_535),
});

export const scheduleCreateOptionsSchema = batchOptionsSchema.extend({
  manifest: z.string().min(1),
  cron: z.string().optional(),
  every: duration.optional(),
  overlap: z.enum(OVERLAP_WORDS as [OverlapWord, ...OverlapWord[]]),
  catchupWindow: duration.optional(),
  pauseOnFailure: z.boolean().optional(),
});

export const statusOptionsSchema = z.object({ json: z.boolean().optional() });
export const resultsOptionsSchema = z.object({
  format: z.enum(['jsonl', 'csv']),
  out: z.string().optional(),
  outputs: z.boolean().optional(),
});
export const pauseOptionsSchema = z.object({ reason: z.string().optional() });
export const redriveOptionsSchema = z.object({ failed: z.boolean().optional(), unknown: z.boolean().optional() });
export const workerOptionsSchema = z.object({ taskQueue: z.string().min(1).optional() });
export const webhooksOptionsSchema = z.object({ port: z.number().int().min(0).max(65_535), host: z.string().min(1) });
export const demoOptionsSchema = z.object({ out: z.string().min(1), concurrency: positiveInt });
export const simulateOptionsSchema = z.object({
  port: z.number().int().min(0).max(65_535),
  host: z.string().min(1),
  seed: z.number().int().optional(),
  runDuration: z.string().optional(),
  failureRate: z.number().min(0).max(1).optional(),
  assetTtl: duration.optional(),
  maxWait: duration.optional(),
  fault: z.array(z.custom<FaultRule>((v) => typeof v === 'object' && v !== null)),
  apiKey: z.string().optional(),
  config: z.string().optional(),
});
export const scheduleNoteOptionsSchema = z.object({ note: z.string().optional() });
const overlap = z.enum(OVERLAP_WORDS as [OverlapWord, ...OverlapWord[]]);
export const scheduleTriggerOptionsSchema = z.object({ overlap: overlap.optional() });
export const scheduleBackfillOptionsSchema = z.object({ from: z.date(), to: z.date(), overlap });

export type ManifestOptions = z.infer<typeof manifestOptionsSchema>;
export type BatchOptions = z.infer<typeof batchOptionsSchema>;
export type RunOptions = z.infer<typeof runOptionsSchema>;
export type ScheduleCreateOptions = z.infer<typeof scheduleCreateOptionsSchema>;
export type SimulateOptions = z.infer<typeof simulateOptionsSchema>;

/**
 * Commander's options for `command`, checked against its schema. A mismatch is a bug in the flag declarations
 * (each flag's own parser already explained bad values), reported with the option and what was wrong.
 */
export function checkedOptions<S extends z.ZodType>(command: string, schema: S, opts: unknown): z.infer<S> {
  const parsed = schema.safeParse(opts);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `--${kebab(String(i.path[0] ?? '?'))}: ${i.message}`);
  throw usageError(`${command}: ${problems.join('; ')}`);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `--format`, `--key-column`, `--omit`, `--map` as the batch's manifest spec. */
export function manifestSpecOf(opts: ManifestOptions): ManifestSpec {
  return {
    omit: opts.omit,
    map: opts.map,
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.keyColumn ? { keyColumn: opts.keyColumn } : {}),
  };
}

/**
 * A batch's settings from `run`'s or `schedule create`'s options: built here and nowhere else. The batch id, the
 * manifest's location and the storage folder are added per batch (by `run`, or by each fire of a schedule).
 */
export function batchSettingsOf(opts: BatchOptions): BatchSettings {
  return {
    manifest: manifestSpecOf(opts),
    item: {
      provider: opts.provider,
      app: opts.app,
      waitSeconds: opts.waitSeconds,
      itemTimeoutMs: opts.itemTimeout,
      onAmbiguousSubmit: opts.onAmbiguousSubmit,
      ...(opts.inputDeadline !== undefined ? { inputDeadlineMs: opts.inputDeadline } : {}),
      ...(opts.pollInterval !== undefined ? { pollIntervalMs: opts.pollInterval } : {}),
      ...(opts.delivery ? { delivery: opts.delivery } : {}),
      ...(opts.webhookBaseUrl ? { webhookBaseUrl: opts.webhookBaseUrl } : {}),
      ...(opts.webhookFallbackAfter !== undefined ? { webhookFallbackMs: opts.webhookFallbackAfter } : {}),
    },
    tuning: {
      concurrency: opts.concurrency,
      pageSize: opts.pageSize ?? DEFAULT_PAGE_SIZE,
      ...(opts.partitions ? { partitions: opts.partitions } : {}),
      ...(opts.maxFailures ? { maxFailures: opts.maxFailures } : {}),
      ...(opts.out ? { outDir: absolutePath(opts.out) } : {}),
    },
  };
}
