import { createHash } from 'node:crypto';
import type { BatchStorage } from './storage.js';

/**
 * Which row of a batch owns which provider run. A claim is a file `claims/<hash of runId>.json` created
 * exclusively when a row's submit record becomes `created` (sent or adopted), so no second row can adopt a run
 * that another row already owns. Claiming again for the same row is a no-op; for another row it is refused.
 */
export interface RunClaim {
  runId: string;
  /** The row id that owns the run. */
  id: string;
  at: string;
}

export const CLAIMS_DIR = 'claims';

/**
 * Who claims a run: the row id, suffixed with the batch generation after a redrive, so a redriven row never
 * mistakes the run of its earlier generation for the one its new run-start created.
 */
export function claimOwner(id: string, generation = 0): string {
  return generation > 0 ? `${id}@${generation}` : id;
}

export function claimFile(runId: string): string {
  // Run ids come from the provider: hashed, they are always safe (and short) as file names.
  const name = createHash('sha256').update(runId, 'utf8').digest('hex').slice(0, 40);
  return `${CLAIMS_DIR}/${name}.json`;
}

/** The row that owns `runId`, or null when no row has claimed it. */
export async function readClaim(storage: BatchStorage, runId: string): Promise<string | null> {
  const text = await storage.readText(claimFile(runId));
  if (text === null) return null;
  return (JSON.parse(text) as RunClaim).id;
}

/**
 * Claims `runId` for row `id`. Returns the owner afterwards: `id` itself when the claim is (or already was)
 * this row's, else the row that owned it first.
 */
export async function claimRun(storage: BatchStorage, runId: string, id: string): Promise<string> {
  const claim: RunClaim = { runId, id, at: new Date().toISOString() };
  if (await storage.createExclusive(claimFile(runId), JSON.stringify(claim))) return id;
  return (await readClaim(storage, runId)) ?? id;
}
