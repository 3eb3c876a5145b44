#!/usr/bin/env node
// `npm run chaos`: a batch that survives worker SIGKILLs, a Temporal dev-server restart and a provider outage,
// checked row by row afterwards (see docs/reliability.md). Writes bench/chaos.json and docs/reliability.md (one
// record per storage kind) and exits 1 when any check fails.
//   node scripts/chaos.mjs [--rows 500] [--seed 7] [--storage local|s3] [--keep] [--on-ambiguous-submit hold|resubmit]
// `--storage s3` keeps the batch in S3-compatible storage: a Versity S3 Gateway the run starts (see
// scripts/install-versitygw.sh), reached by the CLI and the workers through the standard AWS environment.
// `--on-ambiguous-submit resubmit` shows the checks catching double payment (duplicates > 0, exit 1); such a run
// is printed only, never recorded.
import { parseArgs } from 'node:util';
import { writeReport, rerunCommand } from './chaos/report.mjs';
import { runChaos } from './chaos/run.mjs';
import { fullScenario } from './chaos/scenario.mjs';
import { STORAGE_KINDS } from './chaos/storage.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '500' },
    seed: { type: 'string', default: '7' },
    storage: { type: 'string', default: 'local' },
    keep: { type: 'boolean', default: false },
    'on-ambiguous-submit': { type: 'string', default: 'hold' },
  },
});
const rows = Number(values.rows);
const seed = Number(values.seed);
const policy = values['on-ambiguous-submit'];
const storage = values.storage;
const valid = Number.isInteger(rows) && rows >= 50 && Number.isInteger(seed) && STORAGE_KINDS.includes(storage);
if (!valid || !['hold', 'resubmit'].includes(policy)) {
  console.error(
    'usage: node scripts/chaos.mjs [--rows N (at least 50)] [--seed N] [--storage local|s3] [--keep] ' +
      '[--on-ambiguous-submit hold|resubmit]',
  );
  process.exit(2);
}

const scenario = { ...fullScenario({ rows, seed }), onAmbiguousSubmit: policy };
const report = await runChaos(scenario, { keep: values.keep, storage });
if (policy === 'hold') await writeReport(report);

const { checks, events, ...figures } = report;
console.log(JSON.stringify(figures, null, 2));
for (const c of checks) console.log(`${c.ok ? 'pass' : 'FAIL'}  ${c.name}${c.ok || !c.detail ? '' : `: ${c.detail}`}`);
const where = policy === 'hold' ? 'written to bench/chaos.json and docs/reliability.md' : 'not recorded';
console.log(`\n${events.length} events; ${where} (${rerunCommand(report)})`);
if (report.dir) console.log(`files kept in ${report.dir}`);
process.exit(report.ok ? 0 : 1);
