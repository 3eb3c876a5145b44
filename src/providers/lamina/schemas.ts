import { z } from 'zod';

/**
 * Zod schemas of Lamina's answers (providers.md, "Lamina"; seeds 000 and 001). Objects are not strict: unknown
 * fields are ignored. Fields the docs show but the examples omit (createdAt, errorMessage, startedAt on the wait
 * example) are optional; the fields durabatch decides with (runId, status, output status) are required.
 */

/** Lamina's run statuses and, below, the terminal ones (the only source of `terminal`). */
export const LAMINA_RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const LAMINA_TERMINAL_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled'];

const nullableString = z.string().nullish();

/** One output of a run; `value` is a URL for media, the content for text, null until ready. */
export const laminaOutputSchema = z.object({
  id: nullableString,
  label: z.string(),
  type: z.string(),
  value: z.unknown(),
  status: z.enum(['pending', 'completed', 'error']),
  error: nullableString,
});
export type LaminaOutput = z.output<typeof laminaOutputSchema>;

/** Lamina's ExecutionStatus (get, wait, start, webhook and SSE bodies). */
export const laminaExecutionSchema = z.object({
  runId: z.string().min(1),
  workflowId: nullableString,
  status: z.enum(LAMINA_RUN_STATUSES),
  // Required once the run completed; checked in the mapping (map.ts) because the schema cannot say "when".
  outputs: z.array(laminaOutputSchema).optional(),
  errorMessage: nullableString,
  startedAt: nullableString,
  completedAt: nullableString,
  createdAt: nullableString,
  progress: z
    .object({
      totalOutputs: z.number(),
      completedOutputs: z.number(),
      failedOutputs: z.number(),
      percentComplete: z.number(),
    })
    .nullish(),
});
export type LaminaExecution = z.output<typeof laminaExecutionSchema>;

/** GET /v1/runs/{id} and GET …/wait (the latter may add `timeout: true`). */
export const laminaRunEnvelope = z.object({ data: laminaExecutionSchema });
export const laminaWaitEnvelope = z.object({ data: laminaExecutionSchema, timeout: z.boolean().nullish() });
/** The one field a start must give back: without it the (billed) run cannot be followed. */
export const laminaStartEnvelope = z.object({ data: z.object({ runId: z.string().min(1) }) });

const optionSchema = z.union([
  z.string(),
  z.number().transform(String),
  z.object({ label: z.string(), value: z.unknown().optional() }).transform((o) => o.label),
  z.object({ value: z.union([z.string(), z.number()]) }).transform((o) => String(o.value)),
]);

/** GET /v1/apps/{appId}; options may be label strings or {label, value} objects. */
export const laminaAppEnvelope = z.object({
  data: z.object({
    appId: z.string().nullish(),
    name: z.string().nullish(),
    parameters: z.array(
      z.object({
        id: z.string().min(1),
        key: nullableString,
        name: z.string().min(1),
        type: z.string(),
        required: z.boolean().nullish(),
        options: z.array(optionSchema).nullish(),
        default: z.unknown().optional(),
      }),
    ),
    outputs: z.array(z.object({ label: z.string(), type: z.string() })).nullish(),
  }),
});
export type LaminaApp = z.output<typeof laminaAppEnvelope>['data'];

/** GET /v1/runs (offset pagination). */
export const laminaListEnvelope = z.object({
  data: z.array(
    z.object({
      runId: z.string().min(1),
      status: z.string(),
      createdAt: z.string(),
    }),
  ),
  pagination: z.object({
    total: z.number().int().nonnegative(),
    limit: z.number().nullish(),
    offset: z.number().nullish(),
  }),
});

/** POST /v1/runs/{id}/cancel. */
export const laminaCancelEnvelope = z.object({ data: z.object({ runId: z.string().nullish(), status: z.string() }) });
