import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { stringify } from 'csv-stringify';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import type { NormalizedRow } from '../manifest/types.js';
import type { ProviderName } from '../shared/constants.js';
import { itemDoneSignal } from '../shared/messages.js';
import { exceedsThreshold, parseMaxFailures } from '../shared/plan.js';
import { emptyCounts, failureCount, type StatusCounts } from '../shared/status.js';
import type { ExportResultsInput, ExportResultsOutput, ReadItemResultInput, RecordResultInput } from './contracts.js';
import type { ResultLine } from '../shared/results-format.js';
import {
  isS3Location,
  itemFile,
  MANIFEST_FILE,
  openStorage,
  OUTPUTS_DIR,
  readRow,
  RESULTS_CSV_FILE,
  RESULTS_JSONL_FILE,
  SUMMARY_FILE,
  type BatchStorage,
} from '../storage/index.js';
import { csvRecord, CSV_COLUMNS } from './csv.js';
import { exportInputOf } from './legacy-inputs.js';

/**
 * Writes the row's result line (with its inputs) atomically, then tells the partition the row is done. Both are
 * idempotent: a retry rewrites the same file, and the partition ignores a second signal for a row it counted.
 */
export async function recordResult(input: RecordResultInput): Promise<void> {
  const storage = openStorage(input.storage);
  const row = await readRow(storage, input.line.row);
  const line: ResultLine = { ...input.line, inputs: row.inputs };
  await storage.writeAtomic(itemFile(input.id), JSON.stringify(line));
  const { client } = Context.current();
  await ignoreClosed(
    client.workflow
      .getHandle(input.partitionWorkflowId)
      .signal(itemDoneSignal, { row: input.line.row, id: input.id, status: input.line.status }),
  );
}

/**
 * A partition closes only after counting every row it started, and a batch only after its partitions: a closed
 * target already has what this signal says (it was sent before, by an attempt whose completion was lost).
 */
async function ignoreClosed(signal: Promise<void>): Promise<void> {
  try {
    await signal;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/** The recorded status of a row, or null when it has no result yet. */
export async function readItemResult(input: ReadItemResultInput): Promise<Pick<ResultLine, 'status'> | null> {
  const text = await openStorage(input.storage).readText(itemFile(input.id));
  return text ? { status: (JSON.parse(text) as ResultLine).status } : null;
}

/**
 * Writes results.jsonl and results.csv (one line per manifest row, manifest order) and summary.json, streaming
 * row by row, then copies them and the outputs to `outDir`. A row with no recorded result is listed as `skipped`.
 */
export async function exportResults(raw: ExportResultsInput): Promise<ExportResultsOutput> {
  const input = exportInputOf(raw);
  const { spec } = input;
  const storage = openStorage(spec.storage);
  const counts = emptyCounts();
  const jsonl = await storage.createWriter(RESULTS_JSONL_FILE);
  const csvOut = await storage.createWriter(RESULTS_CSV_FILE);
  let rowCount = 0;
  try {
    const csv = stringify({ header: true, columns: CSV_COLUMNS });
    const csvDone = pipeline(csv, csvOut.stream);
    for await (const row of manifestRows(storage)) {
      const line = await resultFor(storage, row, spec.item.provider);
      counts[line.status] += 1;
      rowCount += 1;
      if (!jsonl.stream.write(JSON.stringify(line) + '\n')) await once(jsonl.stream, 'drain');
      if (!csv.write(csvRecord(line))) await once(csv, 'drain');
      if (rowCount % 500 === 0) Context.current().heartbeat(rowCount);
    }
    csv.end();
    await csvDone;
    await jsonl.commit();
    await csvOut.commit();
  } catch (err) {
    await Promise.all([jsonl.abort(), csvOut.abort()]);
    throw err;
  }

  const { maxFailures, outDir: copyTo } = spec.tuning;
  const threshold = maxFailures ? parseMaxFailures(maxFailures) : null;
  const overThreshold = exceedsThreshold(failureCount(counts), rowCount, threshold);
  await storage.writeAtomic(
    SUMMARY_FILE,
    JSON.stringify(summary(input, rowCount, counts, overThreshold), null, 2) + '\n',
  );
  // --out is a folder of the machine that ran `run`: a worker copies into it only when the batch's data is on this
  // machine's disk as well (for S3 storage, `run` fetches the files into --out itself).
  const outDir = copyTo && !isS3Location(spec.storage) ? await copyOut(storage, resolve(copyTo)) : null;
  const where = (file: string) => (outDir ? join(outDir, file) : storage.urlOf(file));
  return {
    counts,
    rowCount,
    resultsPath: where(RESULTS_JSONL_FILE),
    csvPath: where(RESULTS_CSV_FILE),
    summaryPath: where(SUMMARY_FILE),
    outDir,
    overThreshold,
  };
}

async function* manifestRows(storage: BatchStorage): AsyncGenerator<NormalizedRow> {
  const stream = await storage.openRead(MANIFEST_FILE);
  if (!stream) throw new Error(`${MANIFEST_FILE} is missing from ${storage.location}: the batch was never prepared`);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) if (line.length > 0) yield JSON.parse(line) as NormalizedRow;
}

async function resultFor(storage: BatchStorage, row: NormalizedRow, provider: ProviderName): Promise<ResultLine> {
  const text = await storage.readText(itemFile(row.id));
  if (text) return JSON.parse(text) as ResultLine;
  return {
    row: row.row,
    key: row.key,
    status: 'skipped',
    provider,
    runId: null,
    attempts: 0,
    error: { code: 'NOT_RUN', message: 'this row was never started: the batch stopped before it' },
    outputs: [],
    inputs: row.inputs,
    submittedAt: null,
    finishedAt: null,
  };
}

function summary({ spec, stopped }: ExportResultsInput, rows: number, counts: StatusCounts, overThreshold: boolean) {
  return {
    batchId: spec.batchId,
    provider: spec.item.provider,
    app: spec.item.app,
    rows,
    counts,
    failures: failureCount(counts),
    maxFailures: spec.tuning.maxFailures ?? null,
    overThreshold,
    stopped: stopped ?? null,
    exportedAt: new Date().toISOString(),
    results: RESULTS_JSONL_FILE,
    csv: RESULTS_CSV_FILE,
  };
}

/** Copies results and outputs to `outDir`, keeping the relative output paths valid there; heartbeats per file. */
async function copyOut(storage: BatchStorage, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  for (const file of [RESULTS_JSONL_FILE, RESULTS_CSV_FILE, SUMMARY_FILE]) await copyFile(storage, file, outDir);
  for (const row of await storage.list(OUTPUTS_DIR)) {
    for (const name of await storage.list(`${OUTPUTS_DIR}/${row}`)) {
      await copyFile(storage, `${OUTPUTS_DIR}/${row}/${name}`, outDir);
    }
  }
  return outDir;
}

async function copyFile(storage: BatchStorage, key: string, outDir: string): Promise<void> {
  const from = await storage.openRead(key);
  if (!from) return; // removed meanwhile: nothing to copy
  const target = join(outDir, key);
  await mkdir(dirname(target), { recursive: true });
  await pipeline(from, createWriteStream(target));
  Context.current().heartbeat(key);
}
