#!/usr/bin/env node
// `npm run bench`: measures durabatch against the goals of issue 7 on this machine and writes bench/results.json
// and bench/RESULTS.md. Each scenario starts its own dev server, simulator and worker processes and runs alone;
// a run of some scenarios keeps the figures of the others from the previous results.
//   node scripts/bench.mjs [--only providerBound,orchestration,memory,recovery]
//     providerBound:  [--rows 2000] [--concurrency 50] [--duration-ms 2000] [--jitter-ms 500]
//     orchestration:  [--orchestration-rows 2000] [--no-child-baseline] (concurrency: --concurrency)
//     memory:         [--memory-sizes 1000,5000] (concurrency: --concurrency) [--memory-check] records the run as a
//                     check beside the goal's figures (results.json memoryCheck) instead of replacing them
//     recovery:       [--recovery-rows 200] [--recovery-concurrency 20] [--kill-after 40] [--restart-delay-ms 0]
//     s3:             [--s3-rows 1000] (concurrency: --concurrency, runs: --duration-ms) S3 requests per row
//     [--out-dir bench]  where results.json and RESULTS.md are written; [--render-only] rewrites RESULTS.md only
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { memory } from './bench/memory.mjs';
import { orchestration } from './bench/orchestration.mjs';
import { codeVersion, machine } from './bench/proc.mjs';
import { providerBound } from './bench/provider-bound.mjs';
import { recovery } from './bench/recovery.mjs';
import { renderResults } from './bench/report.mjs';
import { s3Requests } from './bench/s3.mjs';

const SCENARIOS = ['providerBound', 'orchestration', 'memory', 'recovery', 's3'];
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: SCENARIOS.join(',') },
    rows: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '50' },
    'duration-ms': { type: 'string', default: '2000' },
    'jitter-ms': { type: 'string', default: '500' },
    'orchestration-rows': { type: 'string', default: '2000' },
    'no-child-baseline': { type: 'boolean', default: false },
    'memory-sizes': { type: 'string', default: '1000,5000' },
    'memory-check': { type: 'boolean', default: false },
    'recovery-rows': { type: 'string', default: '200' },
    'recovery-concurrency': { type: 'string', default: '20' },
    'kill-after': { type: 'string', default: '40' },
    'restart-delay-ms': { type: 'string', default: '0' },
    's3-rows': { type: 'string', default: '1000' },
    // Only write RESULTS.md again from results.json (after a change to the report's wording); measures nothing.
    'render-only': { type: 'boolean', default: false },
    // Where results.json and RESULTS.md go (smoke runs write elsewhere than bench/).
    'out-dir': { type: 'string', default: 'bench' },
  },
});
const only = values.only.split(',').map((s) => s.trim());
const unknown = only.filter((s) => !SCENARIOS.includes(s));
if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
const num = (name) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got '${values[name]}'`);
  return n;
};
const concurrency = num('concurrency');
const runs = {
  providerBound: () =>
    providerBound({ rows: num('rows'), concurrency, durationMs: num('duration-ms'), jitterMs: num('jitter-ms') }),
  orchestration: () =>
    orchestration({ rows: num('orchestration-rows'), concurrency, childBaseline: !values['no-child-baseline'] }),
  memory: () =>
    memory({
      sizes: values['memory-sizes'].split(',').map(Number),
      concurrency,
      onSize: (partial) => record(memoryKey, { ...partial, command, code, machine: machine() }),
    }),
  recovery: () =>
    recovery({
      rows: num('recovery-rows'),
      concurrency: num('recovery-concurrency'),
      durationMs: num('duration-ms'),
      killAfterRows: num('kill-after'),
      restartDelayMs: num('restart-delay-ms'),
      timeoutSeconds: 120,
    }),
  s3: () => s3Requests({ rows: num('s3-rows'), concurrency, durationMs: num('duration-ms') }),
};

const command = ['node scripts/bench.mjs', ...process.argv.slice(2)].join(' ');
const code = codeVersion();
const outDir = resolve(fileURLToPath(new URL('..', import.meta.url)), values['out-dir']);
const file = join(outDir, 'results.json');
if (values['render-only']) {
  await writeFile(join(outDir, 'RESULTS.md'), renderResults(JSON.parse(await readFile(file, 'utf8'))));
  process.exit(0);
}
const memoryKey = values['memory-check'] ? 'memoryCheck' : 'memory';
for (const name of SCENARIOS.filter((s) => only.includes(s))) {
  const figures = await runs[name]();
  const measured = { ...figures, command, code, machine: machine() };
  const key = name === 'memory' ? memoryKey : name;
  console.log(JSON.stringify({ [key]: measured }, null, 2));
  // Written after each scenario, so a later failure keeps what was measured.
  await record(key, measured);
}

async function record(name, measured) {
  await mkdir(outDir, { recursive: true });
  let previous = {};
  try {
    previous = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // first run
  }
  // A providerBound written before scenarios carried their own machine was measured on the top-level one.
  if (previous.providerBound && !previous.providerBound.machine && previous.machine)
    previous.providerBound = { ...previous.providerBound, machine: previous.machine };
  const results = { ...previous, machine: measured.machine, [name]: measured };
  if (name === 'providerBound') results.providerBoundHistory = providerBoundHistory(previous);
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
  await writeFile(join(outDir, 'RESULTS.md'), renderResults(results));
}

/** Earlier providerBound figures, oldest first, each with when and how it was measured. */
function providerBoundHistory(previous) {
  const history = previous.providerBoundHistory ?? [];
  const last = previous.providerBound;
  if (!last) return history;
  const p = last;
  return [
    ...history,
    {
      measuredAt: p.machine?.measuredAt ?? null,
      command:
        p.command ??
        `node scripts/bench.mjs --rows ${p.rows} --concurrency ${p.concurrency} --duration-ms ${p.runSeconds * 1000}`,
      rows: p.rows,
      concurrency: p.concurrency,
      runSeconds: p.runSeconds,
      idealSeconds: p.idealSeconds,
      durabatchSeconds: p.durabatchSeconds,
      plainSeconds: p.plainSeconds,
      peakConcurrency: p.peakConcurrency,
    },
  ];
}
