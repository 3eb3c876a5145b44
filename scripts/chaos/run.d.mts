import type { ChaosScenario } from './scenario.mjs';

export interface ChaosCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ChaosEventRecord {
  at: number;
  kind: string;
  detail: string;
  rowsDone?: number;
}

/** Where the batch's data lived: a local folder, or S3-compatible storage (a versitygw the run starts). */
export type ChaosStorageKind = 'local' | 's3';

/** What runChaos returns; bench/chaos.json holds the same figures, one record per storage kind. */
export interface ChaosReport {
  ok: boolean;
  /** When the checks ran (ISO). */
  measuredAt: string;
  storage: ChaosStorageKind;
  scenario: Pick<ChaosScenario, 'rows' | 'seed' | 'concurrency' | 'runDurationMs' | 'outputsPerRun'> & {
    onAmbiguousSubmit: 'hold' | 'resubmit';
  };
  batchId: string;
  batchSeconds: number;
  totalSeconds: number;
  kills: number;
  serverRestarts: number;
  unexpectedWorkerExits: { worker: number; code: number | null; signal: string | null }[];
  outageWindows: { kind: string; rate: number; count?: number; seconds: number; fired: number }[];
  exitCodes: { detach: number | null; status: number | null; runOnFinishedBatch: number | null };
  /** With s3: the requests the S3 gateway answered (before the checks read the batch), by HTTP status. */
  storageRequests?: { total: number; byStatus: Record<string, number> };
  resultLines: number;
  counts: Record<string, number>;
  runsCreated: number;
  rowsWithARun: number;
  duplicates: number;
  foreignRuns: number;
  ambiguousStarts: number;
  adopted: number;
  submitUnknown: number;
  submitUnknownWithRunAtProvider: number;
  submitUnknownWithNoRun: number;
  outputFilesChecked: number;
  shaMismatches: number;
  missingOutputs: number;
  secretLeaks: number;
  /** With s3: places the S3 secret key was found (must be 0). */
  storageSecretLeaks?: number;
  faultsInjected: Record<string, number>;
  events: ChaosEventRecord[];
  checks: ChaosCheck[];
  /** The temp dir, kept when a check failed or `keep` was set; null once removed. */
  dir: string | null;
}

/** Runs a chaos scenario on real processes and checks the finished batch (see scripts/chaos/run.mjs). */
export function runChaos(
  scenario: ChaosScenario,
  opts?: { cliPath?: string; log?: (line: string) => void; keep?: boolean; storage?: ChaosStorageKind },
): Promise<ChaosReport>;
