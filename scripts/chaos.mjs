#!/usr/bin/env node
// `npm run chaos`: a batch that survives worker SIGKILLs, a Temporal dev-server restart and a provider outage,
// checked row by row afterwards (see docs/reliability.md). Writes bench/chaos.json and docs/reliability.md and
// exits 1 when any check fails.
//   node scripts/chaos.mjs [--rows 500] [--seed 7] [--keep]
import { parseArgs } from 'node:util';
import { writeReport, rerunCommand } from './chaos/report.mjs';
import { runChaos } from './chaos/run.mjs';
import { fullScenario } from './chaos/scenario.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '500' },
    seed: { type: 'string', default: '7' },
    keep: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const seed = Number(values.seed);
if (!Number.isInteger(rows) || rows < 50 || !Number.isInteger(seed)) {
  console.error('usage: node scripts/chaos.mjs [--rows N (at least 50)] [--seed N] [--keep]');
  process.exit(2);
}

const report = await runChaos(fullScenario({ rows, seed }), { keep: values.keep });
await writeReport(report);

const { checks, events, ...figures } = report;
console.log(JSON.stringify(figures, null, 2));
for (const c of checks) console.log(`${c.ok ? 'pass' : 'FAIL'}  ${c.name}${c.ok || !c.detail ? '' : `: ${c.detail}`}`);
console.log(`\n${events.length} events; written to bench/chaos.json and docs/reliability.md (${rerunCommand(report)})`);
if (report.dir) console.log(`files kept in ${report.dir}`);
process.exit(report.ok ? 0 : 1);
