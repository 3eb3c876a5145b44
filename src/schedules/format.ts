import { FINAL_ITEM_STATUSES, type StatusCounts } from '../shared/status.js';
import type { FireReport, ScheduleReport } from './report.js';
import { formatDuration } from './spec.js';

/** `durabatch schedule describe` as text: state, policies, next fires, and recent fires with their batches. */
export function formatReport(r: ScheduleReport): string {
  const lines = [
    `Schedule ${r.name}: ${r.paused ? `paused${r.note ? ` (${r.note})` : ''}` : 'active'}`,
    `  when: ${r.when} · overlap ${r.overlap} · catch-up window ${formatDuration(r.catchupWindowMs)} · pause on failure: ${r.pauseOnFailure ? 'yes' : 'no'}`,
    `  manifest: ${r.manifest} · ${r.provider} app ${r.app}`,
    `  next fires: ${
      r.paused
        ? 'none while paused'
        : r.nextFires
            .slice(0, 3)
            .map((d) => d.toISOString())
            .join(', ') || 'none'
    }`,
    `  fires so far: ${r.actionsTaken}${r.skippedForOverlap ? `, ${r.skippedForOverlap} skipped while another ran` : ''}`,
  ];
  if (r.recentFires.length > 0) lines.push('  recent fires (oldest first):');
  for (const f of r.recentFires) lines.push(`    ${fireLine(f)}`);
  return lines.join('\n') + '\n';
}

function fireLine(f: FireReport): string {
  const counts = f.counts ? ` · ${countsText(f.counts)}` : '';
  const error = f.error ? ` · ${f.error}` : '';
  return `${f.scheduledAt.toISOString()}  batch ${f.batchId}  ${f.outcome}${counts}${error}`;
}

function countsText(counts: StatusCounts): string {
  const parts = FINAL_ITEM_STATUSES.filter((s) => counts[s] > 0).map((s) => `${s} ${counts[s]}`);
  return parts.join(', ') || 'no rows';
}
