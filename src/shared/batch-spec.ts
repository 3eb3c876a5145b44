import type { ProviderName } from './constants.js';
import type { DeliveryMode } from './delivery.js';

/**
 * What a batch is, in one shape: how manifest rows become inputs (`manifest`), what every row shares (`item`) and
 * how the batch runs (`tuning`), with the batch's identity beside them. Built once, from the command line
 * (src/cli/batch-spec.ts), and passed whole from the CLI through the batch and its partitions; rows and activities
 * get the part they use (`item`) by name. Sandbox-safe: types and constants only.
 */

export const MANIFEST_FORMATS = ['csv', 'json', 'jsonl'] as const;
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];

/** How the manifest's columns become the app's inputs: `--format`, `--key-column`, `--omit`, `--map`. */
export interface ManifestSpec {
  /** The file's format when its extension does not say. */
  format?: ManifestFormat;
  /** The column whose (unique) values identify rows; absent: the row number. */
  keyColumn?: string;
  /** Columns that are not inputs. */
  omit: string[];
  /** Column → input name. */
  map: Record<string, string>;
}

export type AmbiguousSubmitPolicy = 'hold' | 'resubmit';

/** Settings every row of a batch shares: which app, and how a row waits on its run. */
export interface ItemSettings {
  provider: ProviderName;
  app: string;
  /** Seconds per long-poll request (Lamina: 1..120). */
  waitSeconds: number;
  /** Give up waiting on a run after this long (ms). */
  itemTimeoutMs: number;
  onAmbiguousSubmit: AmbiguousSubmitPolicy;
  /** How long a run may wait for a person's input (Artu `waiting_for_input`) before the row ends `needs_input`. */
  inputDeadlineMs?: number;
  /** Pause between status reads for providers that are polled (never below the provider's own guidance). */
  pollIntervalMs?: number;
  /** How rows learn that their run finished (--delivery); absent means the provider's default. */
  delivery?: DeliveryMode;
  /** With delivery `webhook`: the receiver's base URL as the provider reaches it (--webhook-base-url). */
  webhookBaseUrl?: string;
  /** With delivery `webhook`: re-read the run when no webhook came for this long (--webhook-fallback-after). */
  webhookFallbackMs?: number;
  /** The batch run's generation: absent for the first run, then 1, 2, … per `durabatch redrive`. */
  generation?: number;
}

/** How the batch runs its rows. */
export interface BatchTuning {
  /** Provider runs in flight at once, over all partitions. */
  concurrency: number;
  /** Rows a partition reads per page (it continues as new after each). */
  pageSize: number;
  /** Overrides the partition count chosen from rows and concurrency. */
  partitions?: number;
  /** Failed rows tolerated: a count ("5") or a share of rows ("10%"); past it the batch stops. */
  maxFailures?: string;
  /** Absolute folder the results and outputs are copied to (--out). */
  outDir?: string;
}

/**
 * A batch's settings without its identity: what `run` builds from its options before it knows the batch id, and
 * what every fire of a schedule shares.
 */
export interface BatchSettings {
  manifest: ManifestSpec;
  item: ItemSettings;
  tuning: BatchTuning;
}

/** Which batch: its id, the manifest it reads, and where its data lives. */
export interface BatchIdentity {
  batchId: string;
  /**
   * The manifest: where the user's file was (a path or URL, for people), its file name for messages and the UI, and
   * the key of the copy in the batch's storage that workers read (absent in batches of 0.1: they read `location`).
   */
  source: { location: string; name: string; key?: string };
  /** Where the batch's data lives: an absolute folder, or `s3://bucket/prefix/<batchId>`. */
  storage: string;
}

/** A whole batch: its identity beside its settings. */
export interface BatchSpec extends BatchIdentity, BatchSettings {}

/** The batch and its storage, as every row and activity names them. */
export type BatchRef = Pick<BatchIdentity, 'batchId' | 'storage'>;
