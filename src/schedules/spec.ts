import type { ScheduleOverlapPolicy, ScheduleSpec, ScheduleSpecDescription } from '@temporalio/client';
import { basename } from 'node:path';
import { absolutePath } from '../config.js';
import { isManifestUrl, SCHEDULE_NAME_PATTERN } from '../shared/schedule.js';

/** `--overlap` words and Temporal's overlap policies. */
export const OVERLAP_POLICIES = {
  skip: 'SKIP',
  'buffer-one': 'BUFFER_ONE',
  'buffer-all': 'BUFFER_ALL',
  'cancel-other': 'CANCEL_OTHER',
  'terminate-other': 'TERMINATE_OTHER',
  'allow-all': 'ALLOW_ALL',
} as const satisfies Record<string, ScheduleOverlapPolicy>;

export type OverlapWord = keyof typeof OVERLAP_POLICIES;
export const OVERLAP_WORDS = Object.keys(OVERLAP_POLICIES) as OverlapWord[];

/** A problem with what the user typed: the CLI reports it as a usage error (exit 2). */
export class ScheduleInputError extends Error {
  override readonly name = 'ScheduleInputError';
  readonly code = 'SCHEDULE_INPUT';
}

export function checkScheduleName(name: string): void {
  if (!SCHEDULE_NAME_PATTERN.test(name)) {
    throw new ScheduleInputError(
      `schedule name '${name}' may use only letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)`,
    );
  }
}

/** `--cron EXPR` or `--every DURATION` (milliseconds, at least a second), exactly one of them. */
export function scheduleSpec(opts: { cron?: string | undefined; every?: number | undefined }): ScheduleSpec {
  if ((opts.cron === undefined) === (opts.every === undefined)) {
    throw new ScheduleInputError('give exactly one of --cron EXPR (e.g. "0 2 * * *") and --every DURATION (e.g. 6h)');
  }
  if (opts.every !== undefined) {
    if (opts.every < 1000) throw new ScheduleInputError('--every must be at least 1s');
    return { intervals: [{ every: opts.every }] };
  }
  return { cronExpressions: [opts.cron ?? ''] };
}

/** The manifest as the workers will see it: an http(s) URL as given, else an absolute path. */
export interface ScheduledManifest {
  manifest: string;
  manifestName: string;
  url: boolean;
}

/**
 * Checks a manifest given to `schedule create`. A URL must be http(s), carry no user name or password (it is stored
 * in the schedule and in every fire's history) and end in .csv, .json or .jsonl unless --format says.
 */
export function scheduledManifest(manifest: string, format: string | undefined): ScheduledManifest {
  if (!isManifestUrl(manifest)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(manifest)) {
      throw new ScheduleInputError(`--manifest ${manifest}: only http(s) URLs and file paths are supported`);
    }
    const path = absolutePath(manifest);
    return { manifest: path, manifestName: basename(path), url: false };
  }
  let url: URL;
  try {
    url = new URL(manifest);
  } catch {
    throw new ScheduleInputError(`--manifest ${manifest} is not a valid URL`);
  }
  if (url.username || url.password) {
    throw new ScheduleInputError(
      'a manifest URL may not hold a user name or password: it is stored in the schedule and in every fire’s history',
    );
  }
  const last = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  const safe = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  if (!format && !/\.(csv|json|jsonl)$/i.test(safe)) {
    throw new ScheduleInputError(
      `cannot tell the format of ${url.origin}${url.pathname} from its name: add --format csv|json|jsonl`,
    );
  }
  return { manifest: url.href, manifestName: safe || 'manifest', url: true };
}

/** A schedule's spec in words, for `list` and `describe`. */
export function describeSpec(spec: ScheduleSpecDescription | undefined): string {
  if (!spec) return '?';
  const parts: string[] = [];
  for (const i of spec.intervals ?? []) parts.push(`every ${formatDuration(i.every)}`);
  for (const c of spec.calendars ?? []) parts.push(c.comment ? `cron ${c.comment}` : 'calendar');
  return parts.join(', ') || 'no times (trigger or backfill only)';
}

export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
