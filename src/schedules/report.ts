import {
  WorkflowFailedError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleExecutionResult,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { fireBatchId, SCHEDULED_BATCH_WORKFLOW, type ScheduledBatchInput } from '../shared/schedule.js';
import type { StatusCounts } from '../shared/status.js';
import type { BatchWorkflowOutput } from '../shared/batch-contract.js';
import { describeSpec } from './spec.js';
import { scheduledInputOf, type LegacyScheduledInput } from '../shared/legacy-inputs.js';

/** What the schedule's memo records at creation, for `list` and `describe`. */
export interface ScheduleMemo {
  manifest: string;
  provider: string;
  app: string;
  when: string;
}

/** One fire: its workflow, its batch, and how it ended (or that it runs). */
export interface FireReport {
  scheduledAt: Date;
  takenAt: Date;
  fireWorkflowId: string;
  batchId: string;
  /** running, succeeded, failed, cancelled, terminated, timed out … */
  outcome: string;
  counts: StatusCounts | null;
  error: string | null;
}

export interface ScheduleReport {
  name: string;
  paused: boolean;
  note: string | null;
  when: string;
  overlap: string;
  catchupWindowMs: number;
  pauseOnFailure: boolean;
  manifest: string;
  provider: string;
  app: string;
  nextFires: Date[];
  recentFires: FireReport[];
  actionsTaken: number;
  skippedForOverlap: number;
}

/** Thrown for a schedule that exists but does not start durabatch batches. */
export class NotDurabatchScheduleError extends Error {
  override readonly name = 'NotDurabatchScheduleError';
  readonly code = 'NOT_DURABATCH_SCHEDULE';
}

/** The handle of a schedule that exists and starts durabatch batches (else ScheduleNotFoundError or the error above). */
export async function durabatchSchedule(client: Client, name: string): Promise<ScheduleHandle> {
  await describeDurabatchSchedule(client, name);
  return client.schedule.getHandle(name);
}

async function describeDurabatchSchedule(client: Client, name: string): Promise<ScheduleDescription> {
  const d = await client.schedule.getHandle(name).describe();
  if (d.action.workflowType !== SCHEDULED_BATCH_WORKFLOW) {
    throw new NotDurabatchScheduleError(`schedule '${name}' does not start durabatch batches`);
  }
  return d;
}

/** The schedule, its next fire times and its recent fires with their batch ids and outcomes (newest last). */
export async function scheduleReport(client: Client, name: string): Promise<ScheduleReport> {
  const d = await describeDurabatchSchedule(client, name);
  const raw = d.action.args?.[0] as ScheduledBatchInput | LegacyScheduledInput | undefined;
  const input = raw ? scheduledInputOf(raw) : undefined;
  const memo = (d.memo ?? {}) as Partial<ScheduleMemo>;
  return {
    name,
    paused: d.state.paused,
    note: d.state.note ?? null,
    when: memo.when ?? describeSpec(d.spec),
    overlap: (d.policies.overlap ?? 'SKIP').toLowerCase().replace(/_/g, '-'),
    catchupWindowMs: d.policies.catchupWindow,
    pauseOnFailure: d.policies.pauseOnFailure,
    manifest: memo.manifest ?? input?.source.location ?? '?',
    provider: memo.provider ?? input?.settings.item.provider ?? '?',
    app: memo.app ?? input?.settings.item.app ?? '?',
    nextFires: d.info.nextActionTimes,
    recentFires: await Promise.all(d.info.recentActions.map((a) => fireReport(client, name, a))),
    actionsTaken: d.info.numActionsTaken,
    skippedForOverlap: d.info.numActionsSkippedOverlap,
  };
}

async function fireReport(client: Client, schedule: string, action: ScheduleExecutionResult): Promise<FireReport> {
  const { workflowId, firstExecutionRunId } = action.action.workflow;
  const base = {
    scheduledAt: action.scheduledAt,
    takenAt: action.takenAt,
    fireWorkflowId: workflowId,
    batchId: fireBatchId(schedule, workflowId),
  };
  const handle = client.workflow.getHandle(workflowId, firstExecutionRunId);
  const status = (await handle.describe()).status.name;
  if (status === 'RUNNING') return { ...base, outcome: 'running', counts: null, error: null };
  if (status !== 'COMPLETED' && status !== 'FAILED') {
    return { ...base, outcome: status.toLowerCase().replace(/_/g, ' '), counts: null, error: null };
  }
  try {
    const result = (await handle.result()) as BatchWorkflowOutput;
    return { ...base, outcome: 'succeeded', counts: result.counts, error: null };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    const details =
      cause instanceof ApplicationFailure ? (cause.details?.[0] as BatchWorkflowOutput | undefined) : undefined;
    return { ...base, outcome: 'failed', counts: details?.counts ?? null, error: cause?.message ?? err.message };
  }
}

/** Durabatch's schedules on the namespace (listing is eventually consistent: a new one shows up within seconds). */
export async function listSchedules(
  client: Client,
): Promise<{ name: string; paused: boolean; when: string; manifest: string; next: Date | null }[]> {
  const out = [];
  for await (const s of client.schedule.list()) {
    if (s.action?.workflowType !== SCHEDULED_BATCH_WORKFLOW) continue;
    const memo = (s.memo ?? {}) as Partial<ScheduleMemo>;
    out.push({
      name: s.scheduleId,
      paused: s.state.paused,
      when: memo.when ?? describeSpec(s.spec),
      manifest: memo.manifest ?? '?',
      next: s.info.nextActionTimes[0] ?? null,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
