import { z } from 'zod';

/**
 * Zod schemas of Artu's answers (providers.md, "Artu"; seed 002). Bare objects, lists as `{data, pagination}`.
 * Objects are not strict: unknown fields are ignored. Required are only the fields durabatch decides with (ids,
 * status, pagination); produced files and records are undocumented and kept as returned.
 */

/** Every execution status Artu documents (`queued` only comes from the trigger) and, below, the terminal ones. */
export const ARTU_RUN_STATUSES = [
  'queued',
  'running',
  'waiting_for_input',
  'completed',
  'errored',
  'timed_out',
  'cancelled',
  'abandoned',
] as const;
/** An Artu execution status. */
export type ArtuRunStatus = (typeof ARTU_RUN_STATUSES)[number];
/** The statuses after which an execution never changes; `waiting_for_input` is a pause, not an end. */
export const ARTU_TERMINAL_STATUSES: readonly ArtuRunStatus[] = [
  'completed',
  'errored',
  'timed_out',
  'cancelled',
  'abandoned',
];

const nullableString = z.string().nullish();
/** `error` is a string in the docs; an `{message}` object is read too rather than refused. */
const errorText = z.union([z.string(), z.object({ message: z.string() }).transform((e) => e.message)]).nullish();
const inputs = z.record(z.string(), z.unknown()).nullish();

/** The parts of an Execution (get, wait) that the mapping reads. */
export const artuExecutionSchema = z.object({
  id: z.string().min(1),
  workflowId: nullableString,
  status: z.enum(ARTU_RUN_STATUSES),
  error: errorText,
  createdAt: nullableString,
  completedAt: nullableString,
  producedRecords: z.array(z.unknown()).nullish(),
  producedFiles: z.array(z.unknown()).nullish(),
  inputs,
});
/** A parsed Artu execution. */
export type ArtuExecution = z.output<typeof artuExecutionSchema>;

/** POST /workflows/{id}/trigger: the one field a start must give back (without it the run cannot be followed). */
export const artuTriggerSchema = z.object({ executionId: z.string().min(1) });

/** The trigger answer read as an execution when it carries a known status (it may already be `completed`). */
export const artuTriggerSnapshotSchema = z
  .object({
    executionId: z.string().min(1),
    status: z.enum(ARTU_RUN_STATUSES),
    error: errorText,
    producedRecords: z.array(z.unknown()).nullish(),
    producedFiles: z.array(z.unknown()).nullish(),
  })
  .transform(({ executionId, ...rest }): ArtuExecution => ({ id: executionId, ...rest }));

/** What a failed trigger may say about itself (`ok: false` with an `error`). */
export const artuTriggerFailureSchema = z.object({ ok: z.literal(false), error: errorText });

/** POST /workflows/executions/list (cursor pagination). */
export const artuListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      workflowId: nullableString,
      status: z.string(),
      createdAt: z.string(),
      inputs,
    }),
  ),
  pagination: z.object({
    hasMore: z.boolean(),
    nextCursor: nullableString,
    totalCount: z.number().nullish(),
  }),
});

/** POST /workflows/executions/{id}/cancel. */
export const artuCancelSchema = z.object({ id: nullableString, status: z.string() });
