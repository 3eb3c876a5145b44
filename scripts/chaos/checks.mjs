// What a chaos run must prove once the batch has finished, from the files on disk and the simulator's counters
// alone: no row lost, at most one paid run per row, ambiguous starts adopted or held, outputs intact, no key leaked.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encodeRowKey } from '../../dist/manifest/keys.js';
import { DEMO_LAMINA_APP_ID, inputFingerprint } from '../../dist/simulator/index.js';
import { rowInputs, rowKey } from './scenario.mjs';

/** The final states a chaos batch may end in: with no failing runs configured, anything else is a bug. */
const ALLOWED_STATUSES = new Set(['succeeded', 'submit_unknown']);

/** A submit record whose run was found by reconciliation and proven to be this row's (src/storage/submits.ts). */
export function isAdopted(record) {
  return record?.adopted === true;
}

/** Record states of a start that may have reached the provider without its answer reaching us. */
const IN_DOUBT = new Set(['sending', 'ambiguous', 'unknown']);

/** A start that was in doubt: still in doubt at the end, or adopted by reconciliation. */
function wasAmbiguous(record) {
  return IN_DOUBT.has(record?.state) || isAdopted(record);
}

async function readJson(path) {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

async function readLines(path) {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** Every file below `root` (recursively). */
async function filesUnder(root) {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

/** Files (and texts) that contain `secret`. */
async function findSecret(secret, { files, texts }) {
  const hits = [];
  for (const file of files) {
    const buf = await readFile(file).catch(() => null);
    if (buf && buf.includes(secret)) hits.push(file);
  }
  for (const [name, text] of Object.entries(texts)) if (text.includes(secret)) hits.push(name);
  return hits;
}

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

/** Re-reads every output file of the succeeded rows and compares its sha256 and size with its result line. */
async function checkOutputs(resultsPath, lines, outputsPerRun) {
  const base = dirname(resultsPath);
  const out = { files: 0, shaMismatches: [], missing: [], wrongCount: [] };
  for (const line of lines.filter((l) => l.status === 'succeeded')) {
    if (line.outputs.length !== outputsPerRun) out.wrongCount.push(line.row);
    for (const o of line.outputs) {
      const buf = o.path ? await readFile(join(base, o.path)).catch(() => null) : null;
      if (!buf) {
        out.missing.push(`row ${line.row}: ${o.path}`);
        continue;
      }
      out.files += 1;
      if (sha256(buf) !== o.sha256 || buf.length !== o.bytes) out.shaMismatches.push(`row ${line.row}: ${o.path}`);
    }
  }
  return out;
}

function check(name, ok, detail) {
  return { name, ok, detail };
}

/** Up to 10 items of a list, for a check's detail. */
function some(list) {
  return list.length > 10 ? `${list.slice(0, 10).join(', ')}, … (${list.length})` : list.join(', ');
}

/** Per manifest row: how many result lines name it, and how many runs the simulator created for its inputs. */
function perRow(rows, lines, counters) {
  const linesByRow = new Map();
  for (const line of lines) linesByRow.set(line.row, [...(linesByRow.get(line.row) ?? []), line]);
  const byFingerprint = counters.runsCreatedByFingerprint;
  const known = new Set();
  const table = [];
  for (let i = 1; i <= rows; i++) {
    const fp = inputFingerprint('lamina', DEMO_LAMINA_APP_ID, rowInputs(i));
    known.add(fp);
    table.push({ row: i, lines: linesByRow.get(i) ?? [], created: byFingerprint[fp] ?? 0 });
  }
  const foreign = Object.keys(byFingerprint).filter((fp) => !known.has(fp));
  return { table, foreign };
}

/**
 * Runs every check. `storage` is the batch directory, `resultsPath` its results.jsonl, `counters` the simulator's
 * final counters, `secret` the provider key, `scan` the extra files and texts that must not contain it.
 */
export async function verifyBatch({ rows, storage, resultsPath, counters, outputsPerRun, secret, scan }) {
  const lines = await readLines(resultsPath);
  const { table, foreign } = perRow(rows, lines, counters);
  const submits = new Map();
  for (const { row } of table)
    submits.set(row, await readJson(join(storage, 'submits', `${encodeRowKey(rowKey(row))}.json`)));

  const notOne = table.filter((r) => r.lines.length !== 1).map((r) => `row ${r.row}: ${r.lines.length} lines`);
  const wrongKey = lines.filter((l) => l.key !== rowKey(l.row)).map((l) => `row ${l.row}: key ${l.key}`);
  const duplicates = table.filter((r) => r.created > 1).map((r) => `row ${r.row}: ${r.created} runs`);
  const rowStatus = (r) => r.lines[0]?.status;
  const unexpected = table.filter((r) => r.lines.length === 1 && !ALLOWED_STATUSES.has(rowStatus(r)));
  const succeededWithoutOneRun = table
    .filter((r) => rowStatus(r) === 'succeeded' && r.created !== 1)
    .map((r) => `row ${r.row}: ${r.created} runs`);
  const runIds = lines.filter((l) => l.status === 'succeeded').map((l) => l.runId);
  const sharedRunIds = runIds.length - new Set(runIds).size;

  const ambiguous = table.filter((r) => wasAmbiguous(submits.get(r.row)));
  const adopted = ambiguous.filter((r) => isAdopted(submits.get(r.row)));
  const badAmbiguous = ambiguous
    .filter(
      (r) => !(rowStatus(r) === 'submit_unknown' || (rowStatus(r) === 'succeeded' && isAdopted(submits.get(r.row)))),
    )
    .map((r) => `row ${r.row}: ${rowStatus(r)} (record ${submits.get(r.row)?.state})`);
  const unknownWithoutCause = table
    .filter((r) => rowStatus(r) === 'submit_unknown' && !wasAmbiguous(submits.get(r.row)))
    .map((r) => `row ${r.row}: record ${JSON.stringify(submits.get(r.row))}`);
  const unknownRows = table.filter((r) => rowStatus(r) === 'submit_unknown');

  const outputs = await checkOutputs(resultsPath, lines, outputsPerRun);
  const leaks = await findSecret(secret, { files: [...(await filesUnder(storage)), ...scan.files], texts: scan.texts });

  const counts = {};
  for (const line of lines) counts[line.status] = (counts[line.status] ?? 0) + 1;
  const figures = {
    resultLines: lines.length,
    counts,
    runsCreated: counters.runsCreated,
    rowsWithARun: table.filter((r) => r.created > 0).length,
    duplicates: duplicates.length,
    foreignRuns: foreign.length,
    ambiguousStarts: ambiguous.length,
    adopted: adopted.length,
    submitUnknown: unknownRows.length,
    submitUnknownWithRunAtProvider: unknownRows.filter((r) => r.created === 1).length,
    submitUnknownWithNoRun: unknownRows.filter((r) => r.created === 0).length,
    outputFilesChecked: outputs.files,
    shaMismatches: outputs.shaMismatches.length,
    missingOutputs: outputs.missing.length,
    secretLeaks: leaks.length,
    faultsInjected: counters.faultsInjected,
  };
  const checks = [
    check('every manifest row has exactly one result line', notOne.length === 0 && lines.length === rows, some(notOne)),
    check('every result line carries its row key', wrongKey.length === 0, some(wrongKey)),
    check(
      'no row ended in a state other than succeeded or submit_unknown',
      unexpected.length === 0,
      some(unexpected.map((r) => `row ${r.row}: ${rowStatus(r)}`)),
    ),
    check('the simulator created at most one run per row (duplicates = 0)', duplicates.length === 0, some(duplicates)),
    check(
      'every succeeded row has exactly one run at the provider',
      succeededWithoutOneRun.length === 0,
      some(succeededWithoutOneRun),
    ),
    check('no two rows share a run id', sharedRunIds === 0, `${sharedRunIds} shared`),
    check('the simulator created no run for inputs outside the manifest', foreign.length === 0, some(foreign)),
    check('every ambiguous start ended adopted or submit_unknown', badAmbiguous.length === 0, some(badAmbiguous)),
    check(
      'every submit_unknown row had an ambiguous start',
      unknownWithoutCause.length === 0,
      some(unknownWithoutCause),
    ),
    check(
      `every succeeded row has ${outputsPerRun} outputs on disk`,
      outputs.missing.length === 0 && outputs.wrongCount.length === 0,
      some([...outputs.missing, ...outputs.wrongCount.map((r) => `row ${r}: wrong output count`)]),
    ),
    check(
      'every downloaded file matches its sha256 and size (sha mismatches = 0)',
      outputs.shaMismatches.length === 0,
      some(outputs.shaMismatches),
    ),
    check('the provider key appears in no result, record, log or Temporal database', leaks.length === 0, some(leaks)),
  ];
  return { checks, figures };
}
