// Writes a chaos report to bench/chaos.json (every figure) and docs/reliability.md (a table and how to rerun), one
// record per storage kind: a run replaces the last run of its own storage kind and keeps the other's.
import { cpus } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

const root = new URL('../../', import.meta.url);

/** The storage kinds a record may have, in the order bench/chaos.json and docs/reliability.md list them. */
const KINDS = ['local', 's3'];

/** The command line that reproduces `report`. */
export function rerunCommand(report) {
  const storage = (report.storage ?? 'local') === 'local' ? '' : ` --storage ${report.storage}`;
  return `npm run chaos -- --rows ${report.scenario.rows} --seed ${report.scenario.seed}${storage}`;
}

/**
 * Writes bench/chaos.json and docs/reliability.md from a report of runChaos: the report becomes the record of its
 * storage kind; the other kind's record is kept as it was.
 */
export async function writeReport({ measuredAt, ...report }) {
  const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', measuredAt };
  const jsonFile = new URL('bench/chaos.json', root);
  const records = {
    ...(await readRecords(jsonFile)),
    [report.storage]: { machine, command: rerunCommand(report), ...report },
  };
  const json = Object.fromEntries(KINDS.filter((k) => records[k]).map((k) => [k, records[k]]));
  await writeFile(jsonFile, JSON.stringify(json, null, 2) + '\n');
  // Formatted as the repository's Prettier settings ask, so that `npm run format:check` stays clean.
  const file = fileURLToPath(new URL('docs/reliability.md', root));
  await writeFile(file, await format(markdown(json), { ...(await resolveConfig(file)), filepath: file }));
}

/**
 * The records in bench/chaos.json by storage kind. A file from before storage kinds holds one local run at its
 * top level; it becomes the local record.
 */
async function readRecords(url) {
  let json;
  try {
    json = JSON.parse(await readFile(url, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return {};
    throw err;
  }
  if (json.machine) {
    const { machine, command, ok, ...rest } = json;
    return { local: { machine, command, ok, storage: 'local', ...rest } };
  }
  return json;
}

function cell(v) {
  return String(v).replaceAll('|', '\\|');
}

function requestsText({ total, byStatus }) {
  const statuses = Object.entries(byStatus).sort(([a], [b]) => a.localeCompare(b));
  return `${total} (${statuses.map(([status, n]) => `${status}: ${n}`).join(', ')})`;
}

function countsText(counts) {
  return Object.entries(counts)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
}

/** What each storage kind's section is called, and where that run kept the batch. */
const STORAGE = {
  local: {
    title: 'Last run: local folder',
    where: 'a local folder (`--data-dir`)',
  },
  s3: {
    title: 'Last run: S3-compatible storage',
    where: 'S3-compatible storage: a Versity S3 Gateway on 127.0.0.1 (`--storage s3://durabatch-chaos/chaos`)',
  },
};

function figuresOf(r) {
  const s = r.scenario;
  const restart = r.events.find((e) => e.kind === 'restart-server');
  return [
    ['batch storage', STORAGE[r.storage].where],
    ['rows (distinct inputs per row)', s.rows],
    ['concurrency', s.concurrency],
    [
      'simulator run length',
      `${s.runDurationMs.min / 1000}–${s.runDurationMs.max / 1000} s, ${s.outputsPerRun} outputs per run`,
    ],
    ['worker SIGKILLs (process group, new worker started at once)', r.kills],
    [
      'dev-server restarts (same port, same SQLite file)',
      `${r.serverRestarts}${restart ? ` (down ${restart.downSeconds} s)` : ''}`,
    ],
    ...r.outageWindows.map((w) => [
      `outage: \`${w.kind}\` at rate ${w.rate}${w.count ? `, until ${w.count} hit` : ''}`,
      `${w.seconds} s; requests hit: ${w.fired}`,
    ]),
    ['workers that exited by themselves', r.unexpectedWorkerExits.length],
    ['batch time (run --detach → batch closed)', `${r.batchSeconds} s`],
    ['result lines', r.resultLines],
    ['rows by status', countsText(r.counts)],
    ['runs created at the simulator', r.runsCreated],
    ['ambiguous starts (killed mid-submit, reset or dropped answer)', r.ambiguousStarts],
    ['… adopted by reconciliation', r.adopted],
    [
      '… held as submit_unknown (run exists at the provider / no run)',
      `${r.submitUnknown} (${r.submitUnknownWithRunAtProvider} / ${r.submitUnknownWithNoRun})`,
    ],
    ['**duplicates** (rows with more than one run; must be 0)', `**${r.duplicates}**`],
    ["output files re-hashed from the batch's storage", r.outputFilesChecked],
    ['**sha256 mismatches** (must be 0)', `**${r.shaMismatches}**`],
    ['provider key found in results, logs or the Temporal database', r.secretLeaks],
    ...(r.storageRequests
      ? [['S3 requests the gateway answered during the batch, by status', requestsText(r.storageRequests)]]
      : []),
    ...(r.storageSecretLeaks === undefined
      ? []
      : [["S3 secret key found in the batch's objects, logs or the Temporal database", r.storageSecretLeaks]]),
    [
      'exit codes: run --detach / status --json / run on the finished batch',
      `${r.exitCodes.detach} / ${r.exitCodes.status} / ${r.exitCodes.runOnFinishedBatch}`,
    ],
  ];
}

/** One storage kind's last run: the figures, the checks and the timeline. */
function runSection(r) {
  const checks = r.checks.map((c) => `| ${c.ok ? 'pass' : '**FAIL**'} | ${cell(c.name)} | ${cell(c.detail || '')} |`);
  const timeline = r.events.map((e) => `| ${e.at} | ${e.rowsDone ?? ''} | ${cell(e.detail)} |`);
  return `## ${STORAGE[r.storage].title}

${r.ok ? 'Every check passed.' : '**Some checks failed** (see below).'} Measured at ${r.machine.measuredAt} on ${r.machine.cpus} cores
(${r.machine.cpuModel}), Node ${r.machine.node}, with \`${r.command}\`; the dev server, the simulator, the worker${r.storage === 's3' ? ', the S3 gateway' : ''} and
the harness share the machine.

| | |
|---|---|
${figuresOf(r)
  .map(([k, v]) => `| ${k} | ${cell(v)} |`)
  .join('\n')}

### Checks

| | check | detail |
|---|---|---|
${checks.join('\n')}

### Timeline

| s | rows done | event |
|---|---|---|
${timeline.join('\n')}
`;
}

/** docs/reliability.md from the records of bench/chaos.json (`{ local?, s3? }`). */
function markdown(records) {
  const sections = KINDS.filter((k) => records[k]).map((k) => runSection({ storage: k, ...records[k] }));
  return `# Reliability: the chaos run

A batch must survive worker crashes, a Temporal restart and a provider outage, lose no row and pay at most once
per row. \`npm run chaos\` proves it on real processes: a Temporal dev server with a SQLite file, the provider
simulator (\`durabatch simulate\`), \`durabatch worker\` processes in their own process groups (the only ones
holding the provider key) and a batch started with \`durabatch run --detach\`. While the batch runs it SIGKILLs
the worker several times and starts a new one, stops the dev server and starts it again on the same port and
file, and puts the provider through an outage with the simulator's control API: every request answered 503,
then every connection reset, then run-starts accepted but their answers dropped, then healthy; later, twice, a
single start is accepted and its answer dropped while all else is healthy. Events fire when a given share of rows
has a result line, so they land mid-run on any machine. When the batch has closed it checks the batch's storage and
the simulator's counters, prints the figures, writes them here and to \`bench/chaos.json\`, and exits non-zero
when any check fails.

The batch's data lives in a local folder, or with \`--storage s3\` in S3-compatible storage: the run then starts a
Versity S3 Gateway (\`versitygw\`, posix backend in the run's temp dir) in its own process group, creates a bucket
through the S3 API and runs the batch with \`--storage s3://durabatch-chaos/chaos\`; the CLI and every worker get
the gateway's credentials through the standard AWS environment (\`AWS_ACCESS_KEY_ID\`, \`AWS_SECRET_ACCESS_KEY\`,
\`AWS_REGION\`, \`AWS_ENDPOINT_URL_S3\`). Either way the harness follows the batch and checks it through durabatch's
own storage code, by key: the rows done (\`items/\`), \`results.jsonl\`, the submit records and every output. Each
storage kind keeps its own last run below (and in \`bench/chaos.json\`); a run replaces only its own kind's.

${sections.join('\n')}
## What the checks mean

- **One result line per row**: \`results.jsonl\` names every manifest row exactly once, with its key.
- **At most one paid run per row**: the simulator counts created runs per input fingerprint (provider, app,
  inputs); no row's fingerprint may count more than one, a succeeded row must count exactly one, and no run may
  exist for inputs outside the manifest.
- **Ambiguous starts**: a start interrupted after it may have reached the provider (worker killed mid-request,
  connection reset, answer dropped) must end either adopted (the submit record marked adopted by reconciliation,
  the row succeeded) or \`submit_unknown\` (held, never resent); and a \`submit_unknown\` row must have had such a
  start. Reconciliation adopts a run only when it can prove whose it is (Lamina's run list shows no inputs, so it
  goes by time windows and by the other rows in doubt at the same moment); a start whose run it cannot prove, or
  that created nothing (a reset before the request was handled), is held. "Run exists at the provider" counts
  held rows whose run the simulator did create: paid once and not claimed, so the user checks the provider before
  any \`durabatch redrive --unknown\`.
- **Outputs**: every output of a succeeded row is re-read from the batch's storage (a file, or a GET from the
  bucket); its sha256 and size must match the result line.
- **Storage**: \`durabatch status --json\` reports the batch in the storage the run gave it, with its
  \`results.jsonl\` there.
- **Credentials**: the provider key given to the workers (and with S3 the secret key given to the CLI and the
  workers) must not appear in any of the batch's objects, the workers' logs, the CLI's output or the Temporal
  SQLite database (which holds every workflow history).
- **Exit codes**: \`run --detach\` 0; \`status --json\` 0 with the completed batch; running the same \`run\`
  again on the finished batch answers from its results: 0, or 1 when any row is \`submit_unknown\`.

## Rerun

\`\`\`sh
npm run chaos                              # 500 rows, seed 7 (builds first)
npm run chaos -- --rows 1000 --seed 11     # any size and seed
npm run chaos -- --storage s3              # the batch in S3-compatible storage (bash scripts/install-versitygw.sh)
node scripts/chaos.mjs --keep              # keep the temp dir (logs, database, outputs) for a look
node scripts/chaos.mjs --on-ambiguous-submit resubmit   # the opt-in that resends starts in doubt; printed only
\`\`\`

The last line runs the scenario with the explicit opt-in to resend a start in doubt once reconciliation found no
proof. It is never recorded here; it shows whether that opt-in pays twice (the duplicates check then fails and the
script exits 1) or not.

A smaller run of the same harness (120 rows, two kills, one restart, a short outage, a local folder) is an
integration test: \`npm run build && npx vitest run --project integration test/integration/chaos.test.ts\`.
`;
}
