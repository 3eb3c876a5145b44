import { rowPlace } from './errors.js';
import { visibleName } from './issues.js';
import type { ManifestIssue } from './types.js';

/**
 * Renders manifest issues for the terminal, one line each ("row 12 (line 13), column 'Style': …"; "column 'X': …" for a
 * problem with a whole column; "manifest: …" otherwise), followed by a line saying how many more there are when
 * `issueCount` exceeds the issues given. Returns '' for no issues. The CLI adds its own heading.
 */
export function formatIssues(issues: readonly ManifestIssue[], issueCount: number): string {
  // A parse error's message already starts with its place ("row 4000 (line 4001): …", "line 1: …").
  const lines = issues.map((issue) =>
    /^(row|line) \d+\b/.test(issue.message) ? issue.message : `${place(issue)}: ${issue.message}`,
  );
  const hidden = issueCount - issues.length;
  if (hidden > 0) {
    lines.push(`… and ${hidden} more ${hidden === 1 ? 'problem' : 'problems'} not shown; fix these and validate again`);
  }
  return lines.join('\n');
}

function place(issue: ManifestIssue): string {
  const parts: string[] = [];
  if (issue.row !== null) parts.push(rowPlace(issue.row, issue.line));
  if (issue.column !== null) parts.push(`column '${visibleName(issue.column)}'`);
  return parts.length > 0 ? parts.join(', ') : 'manifest';
}
