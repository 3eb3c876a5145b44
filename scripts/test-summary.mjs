#!/usr/bin/env node
// Prints one closing line, "N passed, N failed", from the JSON reports `npm test` leaves in .temporal/reports/.
import { readFile, readdir } from 'node:fs/promises';

const dir = new URL('../.temporal/reports/', import.meta.url);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(await readFile(new URL(file, dir), 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
