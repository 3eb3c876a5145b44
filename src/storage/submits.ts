import { createHash } from 'node:crypto';
import { submitFile } from './layout.js';
import type { BatchStorage } from './storage.js';

/**
 * The durable record of a row's run-start (docs/decisions/0002). It is written *before* the POST
 * (`sending`) and after it, so a retry or a new worker can tell "surely nothing was created" from "a run may
 * exist". `ambiguous`: a request may have created a run and reconciliation is under way; `unknown`:
 * reconciliation ended without proof, the row is `submit_unknown`.
 */
export interface SubmitRecord {
  state: 'sending' | 'created' | 'not-created' | 'ambiguous' | 'unknown';
  /** Run-start requests sent for this row. */
  attempts: number;
  /** When the latest run-start request began (ISO). */
  startedAt: string;
  /** When that request failed in a way that may have created a run; absent when the attempt was interrupted. */
  failedAt?: string;
  runId?: string;
  /** The run was not answered to us but found by reconciliation and proven to be this row's. */
  adopted?: boolean;
  error?: string;
  /** Reconciliation stops waiting on other rows' unresolved submits at this moment (ISO). */
  reconcileUntil?: string;
  /** The batch generation this record belongs to (absent: 0, the first run; each redrive adds one). */
  generation?: number;
  /** An `unknown` that is never sent again automatically, whatever --on-ambiguous-submit says (its run was found). */
  held?: boolean;
}

export async function readSubmitRecord(storage: BatchStorage, id: string): Promise<SubmitRecord | null> {
  const text = await storage.readText(submitFile(id));
  return text ? (JSON.parse(text) as SubmitRecord) : null;
}

export async function writeSubmitRecord(storage: BatchStorage, id: string, record: SubmitRecord): Promise<void> {
  await storage.writeAtomic(submitFile(id), JSON.stringify(record));
}

/**
 * A row whose run-start is unresolved: sent and not answered yet, or in doubt. Listed in `pending/<id>.json` from
 * just before the POST until the row's record is `created` or `not-created`, so reconciliation of another row
 * can tell which rows might have created a run it found, without reading every row's record.
 */
export interface PendingSubmit {
  id: string;
  /** The earliest unresolved run-start of this row (ISO). */
  since: string;
  /** inputsFingerprint of the inputs the row sends. */
  fingerprint: string;
}

export const PENDING_DIR = 'pending';

function pendingFile(id: string): string {
  return `${PENDING_DIR}/${id}.json`;
}

/**
 * Lists the row as unresolved, keeping the earliest `since` when it already is. `firstStart`: the row has no submit
 * record at all, so no earlier start was ever sent and an entry left by a crash before its record (nothing sent) may
 * be overwritten without reading it first (one storage read fewer per row).
 */
export async function markPending(
  storage: BatchStorage,
  entry: PendingSubmit,
  opts: { firstStart?: boolean } = {},
): Promise<void> {
  if (opts.firstStart) return storage.writeAtomic(pendingFile(entry.id), JSON.stringify(entry));
  const text = await storage.readText(pendingFile(entry.id));
  const earlier = text ? (JSON.parse(text) as PendingSubmit).since : null;
  if (earlier !== null && earlier <= entry.since) return;
  await storage.writeAtomic(pendingFile(entry.id), JSON.stringify(entry));
}

export async function clearPending(storage: BatchStorage, id: string): Promise<void> {
  await storage.remove(pendingFile(id));
}

/** Every row listed as unresolved (an entry removed while listing is skipped). */
export async function listPending(storage: BatchStorage): Promise<PendingSubmit[]> {
  const names = (await storage.list(PENDING_DIR)).filter((name) => name.endsWith('.json'));
  const entries = await Promise.all(names.map((name) => storage.readText(`${PENDING_DIR}/${name}`)));
  return entries.filter((text): text is string => text !== null).map((text) => JSON.parse(text) as PendingSubmit);
}

/** A key for "the same inputs": sha256 of their JSON with object keys sorted at every level. */
export function inputsFingerprint(inputs: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify(sortKeys(inputs)), 'utf8')
    .digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}
