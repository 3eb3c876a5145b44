#!/usr/bin/env node
// `npm run chaos`: a batch that survives worker SIGKILLs, a Temporal dev-server restart and a provider outage,
// checked row by row afterwards (see docs/reliability.md). Writes bench/chaos.json and docs/reliability.md and
// exits 1 when any check fails.
//   node scripts/chaos.mjs [--rows 500] [--seed 7] [--keep] [--on-ambiguous-submit hold|resubmit]
// `--on-ambiguous-submit resubmit` shows the checks catching double payment (duplicates > 0, exit 1); such a run
// is printed only, never recorded.
import { parseArgs } from 'node:util';
import { writeReport, rerunCommand } from './chaos/report.mjs';
import { runChaos } from './chaos/run.mjs';
import { fullScenario } from './chaos/scenario.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '500' },
    seed: { type: 'string', default: '7' },
    keep: { type: 'boolean', default: false },
    'on-ambiguous-submit': { type: 'string', default: 'hold' },
  },
});
const rows = Number(values.rows);
const seed = Number(values.seed);
const policy = values['on-ambiguous-submit'];
if (!Number.isInteger(rows) || rows < 50 || !Number.isInteger(seed) || !['hold', 'resubmit'].includes(policy)) {
  console.error(
    'usage: node scripts/chaos.mjs [--rows N (at least 50)] [--seed N] [--keep] [--on-ambiguous-submit hold|resubmit]',
  );
  process.exit(2);
}

const report = await runChaos({ ...fullScenario({ rows, seed }), onAmbiguousSubmit: policy }, { keep: values.keep });
if (policy === 'hold') await writeReport(report);

const { checks, events, ...figures } = report;
console.log(JSON.stringify(figures, null, 2));
for (const c of checks) console.log(`${c.ok ? 'pass' : 'FAIL'}  ${c.name}${c.ok || !c.detail ? '' : `: ${c.detail}`}`);
const where = policy === 'hold' ? 'written to bench/chaos.json and docs/reliability.md' : 'not recorded';
console.log(`\n${events.length} events; ${where} (${rerunCommand(report)})`);
if (report.dir) console.log(`files kept in ${report.dir}`);
process.exit(report.ok ? 0 : 1);
