import type { RedriveStatus } from '../shared/redrive.js';
import type { BeginRedriveInput, BeginRedriveOutput, LoadRedriveKeysInput } from './contracts.js';
import type { ResultLine } from '../shared/results-format.js';
import type { RowKey } from './contracts.js';
import { itemFile, openStorage, readRowRange } from '../storage/index.js';

/** The redrives of a batch, oldest first: which run of the batch workflow got which generation. */
export const REDRIVES_FILE = 'redrives.json';

interface RedriveEntry {
  runId: string;
  generation: number;
  statuses: RedriveStatus[];
  at: string;
}

/**
 * Hands the redriving batch run its generation (1 for the first redrive, then one more each time) and records it
 * in the batch's storage. Idempotent per batch run: a retry gets the generation it was given before.
 */
export async function beginRedrive(input: BeginRedriveInput): Promise<BeginRedriveOutput> {
  const storage = openStorage(input.storage);
  const text = await storage.readText(REDRIVES_FILE);
  const entries = text ? (JSON.parse(text) as RedriveEntry[]) : [];
  const known = entries.find((e) => e.runId === input.runId);
  if (known) return { generation: known.generation };
  const generation = Math.max(0, ...entries.map((e) => e.generation)) + 1;
  entries.push({ runId: input.runId, generation, statuses: input.statuses, at: new Date().toISOString() });
  await storage.writeAtomic(REDRIVES_FILE, JSON.stringify(entries, null, 2) + '\n');
  return { generation };
}

/** The keys of rows `from`..`to` whose recorded result has one of the redriven statuses, in manifest order. */
export async function loadRedriveKeys(input: LoadRedriveKeysInput): Promise<RowKey[]> {
  const storage = openStorage(input.storage);
  const rows = await readRowRange(storage, input.from, input.to);
  const wanted = new Set<string>(input.statuses);
  const picked = await Promise.all(
    rows.map(async (r) => {
      const text = await storage.readText(itemFile(r.id));
      const status = text ? (JSON.parse(text) as Pick<ResultLine, 'status'>).status : null;
      return status !== null && wanted.has(status) ? { row: r.row, id: r.id, key: r.key } : null;
    }),
  );
  return picked.filter((k): k is RowKey => k !== null);
}
