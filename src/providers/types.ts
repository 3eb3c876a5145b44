import type { ProviderName } from '../shared/constants.js';

/**
 * The contract every provider adapter (Lamina, Artu, Magnific) fulfils. Adapters speak HTTP with undici, map the
 * provider's shapes onto these types, and throw the classes of ./errors.ts. They never retry: Temporal owns retries.
 */

/** Normalized state of a provider run. */
export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'partial' | 'cancelled' | 'needs_input';

export const TERMINAL_RUN_STATES: readonly RunState[] = ['succeeded', 'failed', 'partial', 'cancelled'];

export interface RunOutput {
  /** Provider's output/node id, when it has one. */
  id: string | null;
  label: string;
  /** image | video | audio | text | pending | file … as the provider says it. */
  type: string;
  /** A URL for media outputs, null when not ready or not a URL. */
  url: string | null;
  /** Text content for text outputs. */
  text: string | null;
  status: 'pending' | 'completed' | 'error';
  error: string | null;
}

export interface RunProgress {
  totalOutputs: number;
  completedOutputs: number;
  failedOutputs: number;
  percentComplete: number;
}

export interface RunSnapshot {
  runId: string;
  /** The provider's own status word, kept for results and messages. */
  providerStatus: string;
  state: RunState;
  terminal: boolean;
  outputs: RunOutput[];
  errorMessage: string | null;
  progress: RunProgress | null;
  /** Provider-specific structured results that are kept verbatim (Artu producedRecords). */
  records: unknown[] | null;
  createdAt: string | null;
  completedAt: string | null;
}

export interface AppParameter {
  /** The name the provider keys inputs by when starting a run (Lamina: parameter name; Magnific: input id). */
  inputKey: string;
  /** Every name a manifest column may use for this parameter (name, key, label, id). */
  aliases: string[];
  /** Human label for messages. */
  label: string;
  type: 'text' | 'options' | 'url' | 'number' | 'creation' | 'select' | 'unknown';
  required: boolean;
  /** Allowed values for options/select parameters. */
  options: string[] | null;
  default: unknown;
}

export interface AppDefinition {
  appId: string;
  name: string;
  parameters: AppParameter[];
  outputs: { label: string; type: string }[];
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface StartRunOptions extends RequestOptions {
  webhookUrl?: string;
}

export interface StartRunResult {
  runId: string;
  /** Present when the start response already describes the run (for example already completed). */
  snapshot: RunSnapshot | null;
}

export interface ListedRun {
  runId: string;
  providerStatus: string;
  createdAt: string;
  /** Inputs of the run where the provider's list shows inputs (Artu: `{}` for a run listed without any); null where it never does (Lamina). */
  inputs: Record<string, unknown> | null;
}

export interface ListRunsQuery extends RequestOptions {
  appId: string;
  /** ISO timestamp: only runs created at or after it. */
  since: string;
}

/** How an event stream of a run ended (streamRun). */
export type StreamEnd =
  | { kind: 'terminal'; snapshot: RunSnapshot }
  /** The provider's own stream limit (Lamina: `timeout` after ~10 minutes): the caller reconnects. */
  | { kind: 'timeout' }
  /** Ended without a final event (cut, idle, bad event): the caller reconnects or falls back to wait/poll. */
  | { kind: 'disconnected'; reason: string };

export interface StreamRunOptions extends RequestOptions {
  /** Each `progress` event, already mapped like getRun's answer. */
  onProgress?(snapshot: RunSnapshot): void;
  /** Each keep-alive `ping` event. */
  onPing?(): void;
}

/**
 * How the activities wait on a run: `long-poll` calls waitRun in a loop (it holds the request open until the run
 * ends or the provider's wait expires); `poll` calls it every `pollIntervalMs` (waitRun is one plain status read).
 */
export type WaitMode = 'long-poll' | 'poll';

export interface ProviderAdapter {
  readonly provider: ProviderName;
  /** How to wait on runs; absent means 'long-poll'. */
  readonly waitMode?: WaitMode;
  /** For 'poll': the pause between two waitRun calls of one run, as the provider asks. */
  readonly pollIntervalMs?: number;
  /** The app's definition, or null when the provider cannot describe apps. */
  getApp(appId: string, opts?: RequestOptions): Promise<AppDefinition | null>;
  /** One POST that starts (and bills) a run. Never retried by the adapter. */
  startRun(appId: string, inputs: Record<string, unknown>, opts?: StartRunOptions): Promise<StartRunResult>;
  getRun(runId: string, opts?: RequestOptions): Promise<RunSnapshot>;
  /** Long-poll; returns a non-terminal snapshot when the provider's wait times out. */
  waitRun(runId: string, opts: RequestOptions & { timeoutSeconds: number }): Promise<RunSnapshot>;
  /** Runs created since a moment, all pages; undefined when the provider has no list endpoint. */
  listRuns?(query: ListRunsQuery): Promise<ListedRun[]>;
  /**
   * The provider's clock minus this worker's, as the last answer's Date header showed it; null before any answer
   * with one. Reconciliation compares the provider's creation times with this worker's clock.
   */
  clockOffsetMs?(): number | null;
  /** Follows the run's event stream until it ends; undefined when the provider has no stream. */
  streamRun?(runId: string, opts: StreamRunOptions): Promise<StreamEnd>;
  /** Cancels a run; undefined when the provider cannot cancel. */
  cancelRun?(runId: string, opts?: RequestOptions): Promise<void>;
}
