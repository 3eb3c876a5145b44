import { z } from 'zod';
import { DEMO_LAMINA_APP } from './lamina/apps.js';
import type { FaultRule, LaminaAppDefinition, SimulatorConfigPatch } from './types.js';

const ENDPOINT_NAMES = [
  'lamina.app',
  'lamina.start',
  'lamina.get',
  'lamina.wait',
  'lamina.list',
  'lamina.cancel',
  'lamina.signingKey',
  'asset',
] as const;

const FAULT_KINDS = ['429', '500', '502', '503', 'slow', 'reset', 'drop-after-accept', 'html', 'truncated'] as const;

const nonNegativeInt = z.number().int().min(0);

const faultRuleSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  rate: z.number().min(0).max(1),
  endpoints: z.array(z.enum(ENDPOINT_NAMES)).optional(),
  retryAfterSeconds: nonNegativeInt.optional(),
  delayMs: nonNegativeInt.optional(),
  count: nonNegativeInt.optional(),
});

const laminaParameterSchema = z
  .strictObject({
    id: z.string().min(1),
    key: z.string().min(1).optional(),
    name: z.string().min(1),
    type: z.enum(['text', 'options', 'url']),
    required: z.boolean(),
    options: z.array(z.string()).min(1).optional(),
    default: z.string().optional(),
  })
  .refine((p) => p.type !== 'options' || p.options !== undefined, { message: 'options parameters need options' });

const laminaAppSchema = z.strictObject({
  appId: z.string().min(1),
  name: z.string(),
  parameters: z.array(laminaParameterSchema),
  outputs: z.array(z.strictObject({ label: z.string(), type: z.enum(['image', 'video', 'audio', 'text']) })),
});

/** zod schema of what configure() and POST /_sim/config accept. */
export const configPatchSchema = z.strictObject({
  seed: z.number().int().optional(),
  runDurationMs: z
    .union([nonNegativeInt, z.strictObject({ min: nonNegativeInt, max: nonNegativeInt })])
    .refine((d) => typeof d === 'number' || d.min <= d.max, { message: 'min must not exceed max' })
    .optional(),
  queuedShare: z.number().min(0).max(1).optional(),
  failureRate: z.number().min(0).max(1).optional(),
  outputsPerRun: z.number().int().min(1).max(64).optional(),
  assetTtlMs: nonNegativeInt.optional(),
  maxWaitMs: nonNegativeInt.optional(),
  faults: z.array(faultRuleSchema).optional(),
  lamina: z
    .strictObject({ apiKey: z.string().min(1).optional(), apps: z.array(laminaAppSchema).optional() })
    .optional(),
});

/** Validates a configuration patch; throws a ZodError listing every problem. */
export function parseConfigPatch(value: unknown): SimulatorConfigPatch {
  // JSON and validated objects carry no `undefined` values, so the parsed shape matches the exact optional type.
  return configPatchSchema.parse(value) as SimulatorConfigPatch;
}

/** The simulator's current behaviour: the options with their defaults applied. */
export interface SimulatorSettings {
  runDurationMs: number | { min: number; max: number };
  queuedShare: number;
  failureRate: number;
  outputsPerRun?: number;
  assetTtlMs: number;
  maxWaitMs?: number;
  faults: FaultRule[];
  lamina: { apiKey?: string; apps: LaminaAppDefinition[] };
}

/** Settings before any option is applied. */
export function defaultSettings(): SimulatorSettings {
  return {
    runDurationMs: { min: 1500, max: 2500 },
    queuedShare: 0.1,
    failureRate: 0,
    assetTtlMs: 10 * 60_000,
    faults: [],
    lamina: { apps: [DEMO_LAMINA_APP] },
  };
}

/** Settings with a patch applied: scalar fields and lists replace, `lamina` merges field by field. */
export function applyPatch(settings: SimulatorSettings, patch: SimulatorConfigPatch): SimulatorSettings {
  const { lamina, seed: _seed, ...rest } = patch;
  const next: SimulatorSettings = { ...settings, ...rest, lamina: { ...settings.lamina } };
  if (lamina?.apiKey !== undefined) next.lamina.apiKey = lamina.apiKey;
  if (lamina?.apps !== undefined) next.lamina.apps = lamina.apps;
  return next;
}
