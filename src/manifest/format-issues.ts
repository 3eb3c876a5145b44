import type { ManifestIssue } from './types.js';

/**
 * Renders manifest issues for the terminal, one line each ("row 12, column 'Style': …"; "column 'X': …" for a
 * problem with a whole column; "manifest: …" otherwise), followed by a line saying how many more there are when
 * `issueCount` exceeds the issues given. Returns '' for no issues. The CLI adds its own heading.
 */
export function formatIssues(issues: readonly ManifestIssue[], issueCount: number): string {
  const lines = issues.map((issue) => `${place(issue)}: ${issue.message}`);
  const hidden = issueCount - issues.length;
  if (hidden > 0) {
    lines.push(`… and ${hidden} more ${hidden === 1 ? 'problem' : 'problems'} not shown; fix these and validate again`);
  }
  return lines.join('\n');
}

function place(issue: ManifestIssue): string {
  const parts: string[] = [];
  if (issue.row !== null) parts.push(`row ${issue.row}`);
  if (issue.column !== null) parts.push(`column '${issue.column}'`);
  return parts.length > 0 ? parts.join(', ') : 'manifest';
}
