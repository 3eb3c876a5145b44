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

/** What runChaos returns; bench/chaos.json holds the same figures. */
export interface ChaosReport {
  ok: boolean;
  /** When the checks ran (ISO). */
  measuredAt: string;
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
  faultsInjected: Record<string, number>;
  events: ChaosEventRecord[];
  checks: ChaosCheck[];
  /** The temp dir, kept when a check failed or `keep` was set; null once removed. */
  dir: string | null;
}

/** Runs a chaos scenario on real processes and checks the finished batch (see scripts/chaos/run.mjs). */
export function runChaos(
  scenario: ChaosScenario,
  opts?: { cliPath?: string; log?: (line: string) => void; keep?: boolean },
): Promise<ChaosReport>;
