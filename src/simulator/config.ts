import { z } from 'zod';
import { DEMO_ARTU_WORKFLOW } from './artu/workflows.js';
import { DEMO_LAMINA_APP } from './lamina/apps.js';
import { DEMO_MAGNIFIC_APP } from './magnific/apps.js';
import { FAULT_KINDS } from './types.js';
import type {
  ArtuWorkflowDefinition,
  FaultRule,
  LaminaAppDefinition,
  MagnificAppDefinition,
  SimulatorConfigPatch,
  StreamOptions,
  WebhookOptions,
} from './types.js';

const ENDPOINT_NAMES = [
  'lamina.app',
  'lamina.start',
  'lamina.get',
  'lamina.wait',
  'lamina.list',
  'lamina.cancel',
  'lamina.stream',
  'lamina.signingKey',
  'artu.trigger',
  'artu.get',
  'artu.wait',
  'artu.list',
  'artu.cancel',
  'magnific.app',
  'magnific.run',
  'magnific.status',
  'asset',
] as const;

const nonNegativeInt = z.number().int().min(0);
const share = z.number().min(0).max(1);
const msRange = z
  .union([nonNegativeInt, z.strictObject({ min: nonNegativeInt, max: nonNegativeInt })])
  .refine((d) => typeof d === 'number' || d.min <= d.max, { message: 'min must not exceed max' });

const streamSchema = z.strictObject({
  pingIntervalMs: z.number().int().min(1).optional(),
  timeoutMs: nonNegativeInt.optional(),
  disconnectRate: share.optional(),
  disconnectAfterMs: nonNegativeInt.nullable().optional(),
});

const webhooksSchema = z.strictObject({
  lostRate: share.optional(),
  duplicateRate: share.optional(),
  delayMs: msRange.optional(),
  staleRate: share.optional(),
  badSignatureRate: share.optional(),
  retryDelaysMs: z.array(nonNegativeInt).max(20).optional(),
  timeoutMs: z.number().int().min(1).optional(),
});

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

const artuWorkflowSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string(),
  inputs: z.array(z.strictObject({ key: z.string().min(1), required: z.boolean() })),
});

const magnificInputSchema = z
  .strictObject({
    id: z.string().min(1),
    key: z.string().min(1),
    type: z.enum(['creation', 'text', 'number', 'select']),
    label: z.string().min(1),
    default: z.union([z.string(), z.number(), z.null()]),
    required: z.boolean(),
    options: z.array(z.string()).min(1).optional(),
  })
  .refine((i) => i.type !== 'select' || i.options !== undefined, { message: 'select inputs need options' });

const magnificAppSchema = z.strictObject({
  sqid: z.string().min(1),
  name: z.string(),
  inputs: z.array(magnificInputSchema),
  totalCost: z.number().min(0),
  images: z.number().int().min(1).max(64).optional(),
});

/** zod schema of what configure() and POST /_sim/config accept. */
export const configPatchSchema = z.strictObject({
  seed: z.number().int().optional(),
  runDurationMs: msRange.optional(),
  queuedShare: z.number().min(0).max(1).optional(),
  failureRate: z.number().min(0).max(1).optional(),
  partialRate: z.number().min(0).max(1).optional(),
  inputRate: z.number().min(0).max(1).optional(),
  outputsPerRun: z.number().int().min(1).max(64).optional(),
  assetTtlMs: nonNegativeInt.optional(),
  maxWaitMs: nonNegativeInt.optional(),
  faults: z.array(faultRuleSchema).optional(),
  stream: streamSchema.optional(),
  webhooks: webhooksSchema.optional(),
  lamina: z
    .strictObject({ apiKey: z.string().min(1).optional(), apps: z.array(laminaAppSchema).optional() })
    .optional(),
  artu: z
    .strictObject({ apiKey: z.string().min(1).optional(), workflows: z.array(artuWorkflowSchema).optional() })
    .optional(),
  magnific: z
    .strictObject({
      apiKey: z.string().min(1).optional(),
      apps: z.array(magnificAppSchema).optional(),
      assetTtlMs: nonNegativeInt.optional(),
      webhookSecret: z.string().min(1).optional(),
    })
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
  partialRate: number;
  inputRate: number;
  outputsPerRun?: number;
  assetTtlMs: number;
  maxWaitMs?: number;
  faults: FaultRule[];
  stream: Required<Omit<StreamOptions, 'disconnectAfterMs'>> & Pick<StreamOptions, 'disconnectAfterMs'>;
  webhooks: Required<WebhookOptions>;
  lamina: { apiKey?: string; apps: LaminaAppDefinition[] };
  artu: { apiKey?: string; workflows: ArtuWorkflowDefinition[] };
  magnific: { apiKey?: string; apps: MagnificAppDefinition[]; assetTtlMs: number; webhookSecret?: string };
}

/** Magnific's documented URL lifetime: 12 hours. */
export const MAGNIFIC_ASSET_TTL_MS = 12 * 60 * 60_000;

/** Settings before any option is applied. */
export function defaultSettings(): SimulatorSettings {
  return {
    runDurationMs: { min: 1500, max: 2500 },
    queuedShare: 0.1,
    failureRate: 0,
    partialRate: 0,
    inputRate: 0,
    assetTtlMs: 10 * 60_000,
    faults: [],
    stream: { pingIntervalMs: 15_000, timeoutMs: 600_000, disconnectRate: 0 },
    webhooks: {
      lostRate: 0,
      duplicateRate: 0,
      delayMs: 0,
      staleRate: 0,
      badSignatureRate: 0,
      retryDelaysMs: [5_000, 30_000, 120_000],
      timeoutMs: 5_000,
    },
    lamina: { apps: [DEMO_LAMINA_APP] },
    artu: { workflows: [DEMO_ARTU_WORKFLOW] },
    magnific: { apps: [DEMO_MAGNIFIC_APP], assetTtlMs: MAGNIFIC_ASSET_TTL_MS },
  };
}

/**
 * Settings with a patch applied: scalar fields and lists replace; `stream`, `webhooks`, `lamina`, `artu` and
 * `magnific` merge field by field (a patch that sets only magnific.assetTtlMs keeps the Magnific key and apps).
 */
export function applyPatch(settings: SimulatorSettings, patch: SimulatorConfigPatch): SimulatorSettings {
  const { lamina, artu, magnific, stream, webhooks, seed: _seed, ...rest } = patch;
  const next: SimulatorSettings = {
    ...settings,
    ...rest,
    stream: { ...settings.stream, ...stream },
    webhooks: { ...settings.webhooks, ...webhooks },
    lamina: { ...settings.lamina },
    artu: { ...settings.artu },
    magnific: { ...settings.magnific },
  };
  if (lamina?.apiKey !== undefined) next.lamina.apiKey = lamina.apiKey;
  if (lamina?.apps !== undefined) next.lamina.apps = lamina.apps;
  if (artu?.apiKey !== undefined) next.artu.apiKey = artu.apiKey;
  if (artu?.workflows !== undefined) next.artu.workflows = artu.workflows;
  if (magnific?.apiKey !== undefined) next.magnific.apiKey = magnific.apiKey;
  if (magnific?.apps !== undefined) next.magnific.apps = magnific.apps;
  if (magnific?.assetTtlMs !== undefined) next.magnific.assetTtlMs = magnific.assetTtlMs;
  if (magnific?.webhookSecret !== undefined) next.magnific.webhookSecret = magnific.webhookSecret;
  return next;
}
