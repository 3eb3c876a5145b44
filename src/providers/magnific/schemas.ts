import { z } from 'zod';

/**
 * Zod schemas of Magnific's answers (providers.md, "Magnific"; seed 003). Objects are not strict: unknown fields
 * are ignored. Required are the fields durabatch decides with: input ids, the run identifier, run id and status,
 * and each asset's URL.
 */

/** Magnific's run statuses and, below, the terminal ones (the only source of `terminal`). */
export const MAGNIFIC_RUN_STATUSES = [
  'pending',
  'running',
  'completed',
  'completed_with_errors',
  'failed',
  'cancelled',
] as const;
/** A Magnific run status. */
export type MagnificRunStatus = (typeof MAGNIFIC_RUN_STATUSES)[number];
/** `completed_with_errors` ends a run too: a partial success whose assets are all kept. */
export const MAGNIFIC_TERMINAL_STATUSES: readonly MagnificRunStatus[] = [
  'completed',
  'completed_with_errors',
  'failed',
  'cancelled',
];

const nullableString = z.string().nullish();
const idString = z.union([z.string(), z.number().transform(String)]);

/** Select options are undocumented: strings, numbers, or objects read as their `value` (what a run sends), else label. */
const optionSchema = z.union([
  z.string(),
  z.number().transform(String),
  z.object({ value: z.union([z.string(), z.number()]) }).transform((o) => String(o.value)),
  z.object({ label: z.string() }).transform((o) => o.label),
]);

/** GET /v1/ai/apps/{appId}. */
export const magnificAppEnvelope = z.object({
  data: z.object({
    sqid: nullableString,
    name: nullableString,
    inputs: z.array(
      z.object({
        id: z.string().min(1),
        key: nullableString,
        type: z.string(),
        label: nullableString,
        default: z.unknown().optional(),
        required: z.boolean().nullish(),
        options: z.array(optionSchema).nullish(),
      }),
    ),
  }),
});
/** A parsed Magnific app definition. */
export type MagnificApp = z.output<typeof magnificAppEnvelope>['data'];

/** POST /v1/ai/apps/{appId}/run answers 202 with this, not wrapped in `data` (a wrapped copy is read too). */
export const magnificStartSchema = z.object({ workflow_run_identifier: z.string().min(1) });
/** The same inside `data`, as Freepik's other endpoints answer: accepted so a wrapped answer never loses a run. */
export const magnificWrappedStartSchema = z.object({ data: magnificStartSchema });

const assetSchema = z.object({ id: idString.nullish(), url: z.string().min(1) });
/** One generated asset (image, video or audio); its URL is signed and expires after 12 hours. */
export type MagnificAsset = z.output<typeof assetSchema>;

/** GET /v1/ai/apps/runs/{runId}. */
export const magnificRunEnvelope = z.object({
  data: z.object({
    run_id: z.string().min(1),
    app_id: nullableString,
    status: z.enum(MAGNIFIC_RUN_STATUSES),
    started_at: nullableString,
    completed_at: nullableString,
    error_message: nullableString,
    // Required once the run completed; checked in the mapping because the schema cannot say "when".
    result: z
      .object({
        images: z.array(assetSchema).nullish(),
        videos: z.array(assetSchema).nullish(),
        audios: z.array(assetSchema).nullish(),
      })
      .nullish(),
  }),
});
/** A parsed Magnific run. */
export type MagnificRun = z.output<typeof magnificRunEnvelope>['data'];
