import { FINAL_ITEM_STATUSES } from '../../shared/status.js';
import type { BatchWorkflowOutput } from '../../shared/batch-contract.js';
import { plural } from '../../shared/plural.js';

/** The closing summary of `run` and `status`: counts by state and where the results are. */
export function printSummary(result: BatchWorkflowOutput, out: NodeJS.WritableStream = process.stdout): void {
  const parts = FINAL_ITEM_STATUSES.filter((s) => result.counts[s] > 0).map((s) => `${s} ${result.counts[s]}`);
  out.write(`\nBatch ${result.batchId}: ${plural(result.rowCount, 'row')} — ${parts.join(', ') || 'nothing ran'}\n`);
  out.write(`Results: ${result.resultsPath}\n`);
  out.write(`CSV:     ${result.csvPath}\n`);
  out.write(`Summary: ${result.summaryPath}\n`);
  if (result.stopped) out.write(`Stopped early: ${result.stopped}. Rows that never started are listed as skipped.\n`);
  if (result.overThreshold) out.write('Failures exceed --max-failures: exit code 1.\n');
}
