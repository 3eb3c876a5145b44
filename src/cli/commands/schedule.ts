import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleHandle } from '@temporalio/client';
import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { batchSettingsOf, type ScheduleCreateOptions } from '../command-options.js';
import {
  durabatchSchedule,
  listSchedules,
  NotDurabatchScheduleError,
  scheduleReport,
  type ScheduleMemo,
} from '../../schedules/report.js';
import { formatReport } from '../../schedules/format.js';
import {
  checkScheduleName,
  formatDuration,
  OVERLAP_POLICIES,
  ScheduleInputError,
  scheduledManifest,
  scheduleSpec,
  type OverlapWord,
} from '../../schedules/spec.js';
import { deliveryOf, deliveryProblem } from '../../shared/delivery.js';
import { fireWorkflowIdPrefix, SCHEDULED_BATCH_WORKFLOW, type ScheduledBatchInput } from '../../shared/schedule.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { validateLocally } from '../local-validation.js';
import { storageRoot } from '../storage-root.js';
import { durabatchHome, openSession, type Session } from '../session.js';

type Out = (text: string) => void;

/** `--from` / `--to` of backfill: an ISO 8601 time (a date alone is midnight UTC). */
export function instant(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(`expected a time such as 2026-11-01T00:00:00Z or 2026-11-01, got '${value}'`);
  }
  return date;
}

const stdout: Out = (text) => process.stdout.write(text);
const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `durabatch schedule create <name>`: a Temporal schedule whose every fire runs scheduledBatchWorkflow, which reads
 * the manifest at fire time and runs it as a batch of its own (id `<name>-<time>`). Fires need a running worker:
 * `durabatch worker` on a cluster, or (embedded) `durabatch worker` in this folder, which also runs the dev server
 * whose database holds the schedule.
 */
export async function createScheduleCommand(
  name: string,
  opts: ScheduleCreateOptions,
  env: NodeJS.ProcessEnv = process.env,
  out: Out = stdout,
): Promise<number> {
  const { input, memo, spec } = await scheduleDefinition(name, opts, env);
  return withSession(env, async (session) => {
    try {
      await session.client.schedule.create({
        scheduleId: name,
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: SCHEDULED_BATCH_WORKFLOW,
          workflowId: fireWorkflowIdPrefix(name),
          taskQueue: session.settings.taskQueue,
          args: [input],
          staticSummary: `schedule ${name} · ${input.source.name} · ${opts.provider} app ${opts.app}`,
        },
        policies: {
          overlap: OVERLAP_POLICIES[opts.overlap],
          ...(opts.catchupWindow !== undefined ? { catchupWindow: opts.catchupWindow } : {}),
          pauseOnFailure: opts.pauseOnFailure ?? false,
        },
        memo: { ...memo },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) {
        throw usageError(`schedule '${name}' already exists: delete it first (durabatch schedule delete ${name})`);
      }
      throw refusal(err);
    }
    out(`created schedule ${name}: ${memo.when}, ${memo.manifest} on ${opts.provider} app ${opts.app}\n`);
    out(`each fire is a batch of its own, id ${name}-<time>; see them with: durabatch schedule describe ${name}\n`);
    out(fireNeeds(session, env));
    return EXIT.ok;
  });
}

/** Checks the options and builds the schedule's fixed input. Refuses what would fail at every fire. */
async function scheduleDefinition(name: string, opts: ScheduleCreateOptions, env: NodeJS.ProcessEnv) {
  const spec = guard(() => {
    checkScheduleName(name);
    return scheduleSpec(opts);
  });
  const manifest = guard(() => scheduledManifest(opts.manifest, opts.format));
  if (opts.delivery !== undefined) {
    const problem = deliveryProblem(opts.provider, opts.delivery);
    if (problem) throw usageError(problem);
  }
  const byWebhook =
    deliveryOf({ provider: opts.provider, ...(opts.delivery ? { delivery: opts.delivery } : {}) }) === 'webhook';
  if (byWebhook && opts.webhookBaseUrl === undefined) {
    throw usageError(
      'a schedule with --delivery webhook needs --webhook-base-url: the address where the provider reaches a running `durabatch webhooks` receiver',
    );
  }
  if (!manifest.url) await checkLocalManifest(manifest.manifest, opts, env);
  // As `run`: .durabatch next to a local manifest; for a URL, .durabatch here.
  const dataRoot = storageRoot(opts, env, manifest.url ? process.cwd() : dirname(manifest.manifest));
  const input: ScheduledBatchInput = {
    schedule: name,
    source: { location: manifest.manifest, name: manifest.manifestName },
    dataRoot,
    settings: batchSettingsOf(opts),
  };
  const shown = manifest.url ? new URL(manifest.manifest) : null;
  const memo: ScheduleMemo = {
    manifest: shown ? `${shown.origin}${shown.pathname}` : manifest.manifest,
    provider: opts.provider,
    app: opts.app,
    when: opts.cron !== undefined ? `cron ${opts.cron}` : `every ${formatDuration(opts.every ?? 0)}`,
  };
  return { input, memo, spec };
}

/** A local manifest is read at fire time, but one that is missing or invalid now deserves a warning now. */
async function checkLocalManifest(path: string, opts: ScheduleCreateOptions, env: NodeJS.ProcessEnv): Promise<void> {
  if (!existsSync(path)) {
    log(`note: ${path} does not exist yet; fires fail until it does (it is read by the worker at fire time)`);
    return;
  }
  try {
    const { manifest, item } = batchSettingsOf(opts);
    await validateLocally({ manifestPath: path, spec: manifest, item, env });
  } catch (err) {
    if (!(err instanceof CliError) || err.exitCode !== EXIT.usage) throw err;
    log(`note: fires will fail until the manifest is fixed (it is read again at each fire): ${err.message}`);
    if (err.detail) log(err.detail);
  }
}

function fireNeeds(session: Session, env: NodeJS.ProcessEnv): string {
  if (!session.embedded) {
    return `fires run on the workers of task queue ${session.settings.taskQueue}: keep \`durabatch worker\` running where the provider keys are\n`;
  }
  return (
    `no TEMPORAL_ADDRESS: the schedule lives in the embedded dev server's database (${durabatchHome(env)}/temporal.db).\n` +
    'It fires only while that dev server and a worker run: keep `durabatch worker` running in this folder (it starts both).\n'
  );
}

export async function listSchedulesCommand(
  opts: { json?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
  out: Out = stdout,
): Promise<number> {
  return withSession(env, async (session) => {
    const schedules = await listSchedules(session.client);
    if (opts.json) out(JSON.stringify(schedules, null, 2) + '\n');
    else if (schedules.length === 0) out('no durabatch schedules\n');
    else {
      for (const s of schedules) {
        const next = s.paused ? 'paused' : `next ${s.next?.toISOString() ?? '—'}`;
        out(`${s.name}  ${s.when}  ${next}  ${s.manifest}\n`);
      }
    }
    return EXIT.ok;
  });
}

export async function describeScheduleCommand(
  name: string,
  opts: { json?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
  out: Out = stdout,
): Promise<number> {
  return withSchedule(name, env, async (client) => {
    const report = await scheduleReport(client, name);
    out(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return EXIT.ok;
  });
}

export function pauseScheduleCommand(
  name: string,
  opts: { note?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
  out: Out = stdout,
): Promise<number> {
  return onSchedule(name, env, out, async (handle) => {
    await handle.pause(opts.note ?? 'paused with durabatch schedule pause');
    return `paused schedule ${name}; running batches go on (durabatch cancel <batchId> stops one)`;
  });
}

export function unpauseScheduleCommand(
  name: string,
  opts: { note?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
  out: Out = stdout,
): Promise<number> {
  return onSchedule(name, env, out, async (handle) => {
    await handle.unpause(opts.note ?? 'unpaused with durabatch schedule unpause');
    return `unpaused schedule ${name}`;
  });
}

/** Fires now. Without --overlap the schedule's own policy applies (under skip, nothing starts while a fire runs). */
export function triggerScheduleCommand(
  name: string,
  opts: { overlap?: OverlapWord | undefined },
  env: NodeJS.ProcessEnv = process.env,
  out: Out = stdout,
): Promise<number> {
  return onSchedule(name, env, out, async (handle) => {
    await handle.trigger(opts.overlap ? OVERLAP_POLICIES[opts.overlap] : undefined);
    return `triggered schedule ${name}; durabatch schedule describe ${name} shows the fire and its batch`;
  });
}

/** Takes the fires the schedule would have taken between --from and --to, one after another by default. */
export function backfillScheduleCommand(
  name: string,
  opts: { from: Date; to: Date; overlap: OverlapWord },
  env: NodeJS.ProcessEnv = process.env,
  out: Out = stdout,
): Promise<number> {
  if (opts.to.getTime() <= opts.from.getTime()) throw usageError('--to must be later than --from');
  return onSchedule(name, env, out, async (handle) => {
    await handle.backfill({ start: opts.from, end: opts.to, overlap: OVERLAP_POLICIES[opts.overlap] });
    return `backfilling schedule ${name} from ${opts.from.toISOString()} to ${opts.to.toISOString()} (overlap ${opts.overlap})`;
  });
}

export function deleteScheduleCommand(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  out: Out = stdout,
): Promise<number> {
  return onSchedule(name, env, out, async (handle) => {
    await handle.delete();
    return `deleted schedule ${name}; batches it started keep running and keep their results`;
  });
}

/** Acts on a schedule that exists and starts durabatch batches, and prints what the action says. */
function onSchedule(
  name: string,
  env: NodeJS.ProcessEnv,
  out: Out,
  act: (handle: ScheduleHandle) => Promise<string>,
): Promise<number> {
  return withSchedule(name, env, async (client) => {
    out(`${await act(await durabatchSchedule(client, name))}\n`);
    return EXIT.ok;
  });
}

async function withSession(env: NodeJS.ProcessEnv, work: (session: Session) => Promise<number>): Promise<number> {
  const session = await openSession({ worker: false, log, env });
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

async function withSchedule(
  name: string,
  env: NodeJS.ProcessEnv,
  work: (client: Client) => Promise<number>,
): Promise<number> {
  guard(() => checkScheduleName(name));
  return withSession(env, async (session) => {
    try {
      return await work(session.client);
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) {
        throw usageError(`no schedule '${name}' on ${session.settings.address} (durabatch schedule list shows them)`);
      }
      if (err instanceof NotDurabatchScheduleError) throw usageError(err.message);
      throw refusal(err);
    }
  });
}

function guard<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof ScheduleInputError) throw usageError(err.message);
    throw err;
  }
}

/**
 * Temporal's refusals as usage errors: the client turns an invalid spec (a bad cron expression) into a TypeError,
 * other invalid arguments (a catch-up window too short) arrive as INVALID_ARGUMENT.
 */
function refusal(err: unknown): unknown {
  if (err instanceof TypeError) return usageError(`Temporal refused the schedule: ${err.message}`);
  const cause = (err as { cause?: { code?: unknown; details?: unknown } }).cause;
  if (cause?.code !== 3) return err;
  const why = typeof cause.details === 'string' && cause.details !== '' ? cause.details : (err as Error).message;
  return usageError(`Temporal refused the schedule: ${why}`);
}
