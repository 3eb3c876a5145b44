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
  | 'lamina.signingKey'
  | 'asset';

/** Kinds of injected faults. */
export type FaultKind = '429' | '500' | '502' | '503' | 'slow' | 'reset' | 'drop-after-accept' | 'html' | 'truncated';

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
  /** Share of runs that end 'failed' (default 0). */
  failureRate?: number;
  /** Outputs per run; default: the app's declared outputs (1 image for the demo app). */
  outputsPerRun?: number;
  /** Signed asset URL lifetime, default 10 minutes. */
  assetTtlMs?: number;
  /** Caps how long /wait blocks (default: no cap beyond ?timeout). */
  maxWaitMs?: number;
  faults?: FaultRule[];
  /** apiKey: the only key accepted; default accepts any key that starts with 'lma_'. apps replace the demo app. */
  lamina?: { apiKey?: string; apps?: LaminaAppDefinition[] };
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
