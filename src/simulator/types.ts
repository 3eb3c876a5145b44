/**
 * Public types of the provider simulator: options, fault rules, counters and the handle returned by
 * startSimulator(). Tests, the bench and the CLI depend on these names; change them only with their owners.
 */

/** Every endpoint the simulator counts requests for and can inject faults into. */
export type EndpointName =
  | 'lamina.app'
  | 'lamina.start'
  | 'lamina.get'
  | 'lamina.wait'
  | 'lamina.list'
  | 'lamina.cancel'
  | 'lamina.stream'
  | 'lamina.signingKey'
  | 'artu.trigger'
  | 'artu.get'
  | 'artu.wait'
  | 'artu.list'
  | 'artu.cancel'
  | 'magnific.app'
  | 'magnific.run'
  | 'magnific.status'
  | 'asset';

/**
 * Kinds of injected faults. 'html' answers 200 with a web page, 'truncated' cuts the JSON short, 'schema' answers
 * 200 with well-formed JSON of the wrong shape (no run is created for a start).
 */
export const FAULT_KINDS = [
  '429',
  '500',
  '502',
  '503',
  'slow',
  'reset',
  'drop-after-accept',
  'html',
  'truncated',
  'schema',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * One fault rule. Rules are checked in order before a request is handled; the first one that matches the endpoint
 * and fires (a PRNG draw under `rate`, while `count` allows) decides the fault for that request.
 */
export interface FaultRule {
  kind: FaultKind;
  /** 0..1 share of matching requests that get this fault. */
  rate: number;
  /** Default: all endpoints ('drop-after-accept' only ever applies to run-start endpoints). */
  endpoints?: EndpointName[];
  /** For 429 and 503: Retry-After header and retryAfter body field. */
  retryAfterSeconds?: number;
  /** For 'slow': delay before answering normally. */
  delayMs?: number;
  /** Fire at most this many times in total. */
  count?: number;
}

/** Parameter of a simulated Lamina app, as GET /v1/apps/{appId} shows it. */
export interface LaminaParameterDefinition {
  id: string;
  /** Served as a slug of the name when omitted. */
  key?: string;
  /** Inputs are keyed by this name (case-sensitive). */
  name: string;
  type: 'text' | 'options' | 'url';
  required: boolean;
  /** Allowed labels for 'options' parameters. */
  options?: string[];
  default?: string;
}

/** A simulated Lamina app. */
export interface LaminaAppDefinition {
  appId: string;
  name: string;
  parameters: LaminaParameterDefinition[];
  outputs: { label: string; type: 'image' | 'video' | 'audio' | 'text' }[];
}

/** One input of a simulated Artu workflow: `inputs[key]` of a trigger. */
export interface ArtuInputDefinition {
  key: string;
  required: boolean;
}

/** A simulated Artu workflow (POST /workflows/{id}/trigger). */
export interface ArtuWorkflowDefinition {
  /** A UUID, as Artu's workflow ids are. */
  id: string;
  name: string;
  inputs: ArtuInputDefinition[];
}

/** One input of a simulated Magnific app, as GET /v1/ai/apps/{appId} shows it. Runs key inputs by `id`. */
export interface MagnificInputDefinition {
  /** `input-<uuid>-<n>`. */
  id: string;
  key: string;
  type: 'creation' | 'text' | 'number' | 'select';
  label: string;
  default: string | number | null;
  required: boolean;
  /** Allowed values of 'select' inputs. */
  options?: string[];
}

/** A simulated Magnific app. */
export interface MagnificAppDefinition {
  sqid: string;
  name: string;
  inputs: MagnificInputDefinition[];
  /** Served as tool_metadata.total_cost. */
  totalCost: number;
  /** Images per run (default 1); `outputsPerRun` overrides it. */
  images?: number;
}

/** Lamina's SSE stream (GET /v1/runs/{runId}/stream). */
export interface StreamOptions {
  /** A `ping` event this often (default 15000). */
  pingIntervalMs?: number;
  /** A `timeout` event and close after this long (default 600000, Lamina's 10 minutes). */
  timeoutMs?: number;
  /** 0..1 share of streams of live runs cut abruptly, without a final event (default 0). */
  disconnectRate?: number;
  /** When a cut stream is cut; default (or null) a random point within the run's remaining duration. */
  disconnectAfterMs?: number | null;
}

/**
 * Webhook deliveries (Lamina's `?webhook=`, Magnific's `webhook`). Every fault is decided per delivery by the
 * seeded PRNG; stale and bad-signature faults spoil only the first attempt, so the (re-signed) retry succeeds.
 */
export interface WebhookOptions {
  /** 0..1 share of deliveries never sent at all, retries included (default 0). */
  lostRate?: number;
  /** 0..1 share of deliveries sent twice, the copy re-signed a little later (default 0). */
  duplicateRate?: number;
  /** Extra delay before the first attempt, fixed or drawn from a range (default 0). */
  delayMs?: number | { min: number; max: number };
  /** 0..1 share of signed deliveries whose first attempt carries a timestamp 10 minutes old (default 0). */
  staleRate?: number;
  /** 0..1 share of signed deliveries whose first attempt carries a corrupted signature (default 0). */
  badSignatureRate?: number;
  /** Delays before each retry after a non-2xx answer or a network error (default [5000, 30000, 120000]). */
  retryDelaysMs?: number[];
  /** Per-attempt timeout (default 5000). */
  timeoutMs?: number;
}

/** Options of startSimulator(); everything except port and host can be changed later with configure(). */
export interface SimulatorOptions {
  /** Default 8787; 0 = any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seeds the PRNG (mulberry32) used for every random choice, for reproducible runs. */
  seed?: number;
  /** Default { min: 1500, max: 2500 }. */
  runDurationMs?: number | { min: number; max: number };
  /** Fraction of the duration a run stays 'queued' before 'running' (default 0.1). */
  queuedShare?: number;
  /** Share of runs that fail, for every provider: Lamina 'failed', Artu 'errored', Magnific 'failed' (default 0). */
  failureRate?: number;
  /** Share of Magnific runs that end 'completed_with_errors' (default 0; the `[sim:partial]` marker forces it). */
  partialRate?: number;
  /** Share of Artu executions that stop at 'waiting_for_input' (default 0; the `[sim:input]` marker forces it). */
  inputRate?: number;
  /** Outputs per run; default: the app's declared outputs (1 image for the demo app). */
  outputsPerRun?: number;
  /** Signed asset URL lifetime for Lamina and Artu, default 10 minutes (Magnific: magnific.assetTtlMs). */
  assetTtlMs?: number;
  /** Caps how long /wait blocks (default: no cap beyond ?timeout). */
  maxWaitMs?: number;
  faults?: FaultRule[];
  stream?: StreamOptions;
  webhooks?: WebhookOptions;
  /** apiKey: the only key accepted; default accepts any key that starts with 'lma_'. apps replace the demo app. */
  lamina?: { apiKey?: string; apps?: LaminaAppDefinition[] };
  /**
   * apiKey: the only Bearer key accepted; default accepts any key that starts with 'artu_'. workflows replace the
   * demo workflow.
   */
  artu?: { apiKey?: string; workflows?: ArtuWorkflowDefinition[] };
  /**
   * apiKey: the only key accepted (x-magnific-api-key or x-freepik-api-key); default any key that starts with
   * 'mgn_'. apps replace the demo app. assetTtlMs: lifetime of Magnific's signed URLs, default 12 hours.
   * webhookSecret: when set, webhooks carry X-Magnific-Webhook-Timestamp and X-Magnific-Webhook-Signature (hex
   * HMAC-SHA256 of `<timestamp>.<raw body>`); Magnific documents no scheme, so without it they are unsigned.
   */
  magnific?: { apiKey?: string; apps?: MagnificAppDefinition[]; assetTtlMs?: number; webhookSecret?: string };
}

/** What configure() and POST /_sim/config accept. */
export type SimulatorConfigPatch = Partial<Omit<SimulatorOptions, 'port' | 'host'>>;

/** Counters a test reads to prove, for example, "exactly one paid run per row". */
export interface SimulatorCounters {
  /** Every created run, including accepted-then-dropped ones. */
  runsCreated: number;
  /** Key `${provider}:${appId}`. */
  runsCreatedByApp: Record<string, number>;
  /** Key inputFingerprint(provider, appId, inputs). */
  runsCreatedByFingerprint: Record<string, number>;
  /** Runs created and not yet terminal right now. */
  activeRuns: number;
  peakActiveRuns: number;
  /** Per EndpointName. */
  requests: Record<string, number>;
  /** Per fault kind. */
  faultsInjected: Record<string, number>;
  /** Lamina SSE streams: opened; ended by complete/error, by the timeout event, or cut by the fault; pings sent. */
  streams: { opened: number; completed: number; timedOut: number; cut: number; pings: number };
  /**
   * Per provider ('lamina', 'magnific'), per outcome: each attempt counts once as `sent` (2xx), `status <code>`
   * or `network error`; each delivery as `lost`, `duplicate`, `stale`, `bad signature` when that fault fired and
   * `gave up` when its retries ran out.
   */
  webhookDeliveries: Record<string, Record<string, number>>;
}

/** A running simulator. */
export interface SimulatorHandle {
  /** Base URL, e.g. http://127.0.0.1:8787 (no trailing slash). */
  url: string;
  port: number;
  counters(): SimulatorCounters;
  /** Changes faults, durations, failure rate, apps… at runtime; affects runs created afterwards. */
  configure(patch: SimulatorConfigPatch): void;
  resetCounters(): void;
  /** Closes the server, open sockets and every pending timer. */
  close(): Promise<void>;
}
