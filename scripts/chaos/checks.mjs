// What a chaos run must prove once the batch has finished, from the batch's storage (read through dist/storage, a
// local folder or S3 alike) and the simulator's counters alone: no row lost, at most one paid run per row,
// ambiguous starts adopted or held, outputs intact, no secret leaked.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { encodeRowKey } from '../../dist/manifest/keys.js';
import { RESULTS_JSONL_FILE, submitFile } from '../../dist/storage/index.js';
import { DEMO_LAMINA_APP_ID, inputFingerprint } from '../../dist/simulator/index.js';
import { rowInputs, rowKey } from './scenario.mjs';

/** The final states a chaos batch may end in: with no failing runs configured, anything else is a bug. */
const ALLOWED_STATUSES = new Set(['succeeded', 'submit_unknown']);

/** A submit record whose run was found by reconciliation and proven to be this row's (src/storage/submits.ts). */
export function isAdopted(record) {
  return record?.adopted === true;
}

const PROVIDER_KEY = 'the provider key';

/** Record states of a start that may have reached the provider without its answer reaching us. */
const IN_DOUBT = new Set(['sending', 'ambiguous', 'unknown']);

/** A start that was in doubt: still in doubt at the end, or adopted by reconciliation. */
function wasAmbiguous(record) {
  return IN_DOUBT.has(record?.state) || isAdopted(record);
}

async function readJson(storage, key) {
  const text = await storage.readText(key);
  return text === null ? null : JSON.parse(text);
}

async function readLines(storage, key) {
  const text = await storage.readText(key);
  if (text === null) throw new Error(`${storage.urlOf(key)} does not exist: the batch exported no results`);
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/**
 * Every object key below `prefix` in the batch's storage. list() names objects and sub-prefixes alike: a name that
 * lists children is a prefix, any other an object.
 */
async function keysUnder(storage, prefix = '') {
  const keys = [];
  for (const name of await storage.list(prefix)) {
    const key = prefix ? `${prefix}/${name}` : name;
    const children = await storage.list(key).catch(() => []); // a local file is not a folder
    if (children.length > 0) keys.push(...(await keysUnder(storage, key)));
    else keys.push(key);
  }
  return keys;
}

/** An object's bytes, or null when it does not exist (or, on a local folder, is an empty folder). */
async function readObject(storage, key) {
  try {
    const stream = await storage.openRead(key);
    if (!stream) return null;
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    return Buffer.concat(chunks);
  } catch (err) {
    if (err.code === 'EISDIR') return null;
    throw err;
  }
}

/** `{ secret name → where it was found }` over the batch's objects, the files and the texts given. */
async function findSecrets(secrets, storage, { files, texts }) {
  const hits = [];
  const scan = (where, buf) => {
    for (const s of secrets) if (buf.includes(s.value)) hits.push(`${s.name} in ${where}`);
  };
  for (const key of await keysUnder(storage)) {
    const buf = await readObject(storage, key);
    if (buf) scan(storage.urlOf(key), buf);
  }
  for (const file of files) {
    const buf = await readFile(file).catch(() => null);
    if (buf) scan(file, buf);
  }
  for (const [name, text] of Object.entries(texts)) scan(name, text);
  return hits;
}

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

/**
 * Re-reads every output of the succeeded rows from the batch's storage (paths in a result line are keys relative
 * to the batch) and compares its sha256 and size with its result line.
 */
async function checkOutputs(storage, lines, outputsPerRun) {
  const out = { files: 0, shaMismatches: [], missing: [], wrongCount: [] };
  for (const line of lines.filter((l) => l.status === 'succeeded')) {
    if (line.outputs.length !== outputsPerRun) out.wrongCount.push(line.row);
    for (const o of line.outputs) {
      const buf = o.path ? await readObject(storage, o.path) : null;
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
 * Runs every check. `storage` is the batch's BatchStorage (dist/storage), `counters` the simulator's final counters,
 * `secret` the provider key, `storageSecrets` the storage's own secrets (`{ name, value }`), `scan` the files and
 * texts besides the batch's objects that must contain none of them.
 */
export async function verifyBatch({ rows, storage, counters, outputsPerRun, secret, storageSecrets = [], scan }) {
  const lines = await readLines(storage, RESULTS_JSONL_FILE);
  const { table, foreign } = perRow(rows, lines, counters);
  const submits = new Map();
  for (const { row } of table) submits.set(row, await readJson(storage, submitFile(encodeRowKey(rowKey(row)))));

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

  const outputs = await checkOutputs(storage, lines, outputsPerRun);
  const hits = await findSecrets([{ name: PROVIDER_KEY, value: secret }, ...storageSecrets], storage, scan);
  const leaksOf = (name) => hits.filter((hit) => hit.startsWith(`${name} in `));
  const leaks = leaksOf(PROVIDER_KEY);
  const storageLeaks = hits.filter((hit) => !hit.startsWith(`${PROVIDER_KEY} in `));

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
    ...(storageSecrets.length > 0 ? { storageSecretLeaks: storageLeaks.length } : {}),
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
      `every succeeded row has ${outputsPerRun} outputs in the batch's storage`,
      outputs.missing.length === 0 && outputs.wrongCount.length === 0,
      some([...outputs.missing, ...outputs.wrongCount.map((r) => `row ${r}: wrong output count`)]),
    ),
    check(
      'every downloaded file matches its sha256 and size (sha mismatches = 0)',
      outputs.shaMismatches.length === 0,
      some(outputs.shaMismatches),
    ),
    check('the provider key appears in no result, record, log or Temporal database', leaks.length === 0, some(leaks)),
    ...storageSecrets.map((s) =>
      check(
        `${s.name} appears in no result, record, log or Temporal database`,
        leaksOf(s.name).length === 0,
        some(leaksOf(s.name)),
      ),
    ),
  ];
  return { checks, figures };
}
