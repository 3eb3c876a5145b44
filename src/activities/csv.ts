import type { ResultLine } from '../shared/results-format.js';

/** Columns of results.csv: the result line flattened, outputs joined with ' | '. */
export const CSV_COLUMNS = [
  'row',
  'key',
  'status',
  'provider',
  'runId',
  'attempts',
  'errorCode',
  'errorMessage',
  'outputPaths',
  'outputUrls',
  'outputSha256',
  'inputs',
  'submittedAt',
  'finishedAt',
];

/** One CSV record; every text cell is formula-safe. */
export function csvRecord(line: ResultLine): string[] {
  const join = (values: (string | null)[]) => values.filter((v): v is string => v !== null).join(' | ');
  return [
    String(line.row),
    line.key,
    line.status,
    line.provider,
    line.runId ?? '',
    String(line.attempts),
    line.error?.code ?? '',
    line.error?.message ?? '',
    join(line.outputs.map((o) => o.path)),
    join(line.outputs.map((o) => o.url)),
    join(line.outputs.map((o) => o.sha256)),
    JSON.stringify(line.inputs),
    line.submittedAt ?? '',
    line.finishedAt ?? '',
  ].map(formulaSafe);
}

/**
 * Spreadsheets run cells that start with = + - @ (and tab or carriage return) as formulas: prefix them with a
 * single quote so a manifest or provider value can never execute in the user's spreadsheet.
 */
export function formulaSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
