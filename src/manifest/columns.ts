import type { AppDefinition, AppParameter } from '../providers/types.js';
import { setField } from './fields.js';
import { listNames, mapFlag, omitFlag, type IssueCollector } from './issues.js';

/** What happens to a column's values: sent as an input, or not sent (key column, --omit, or a reported problem). */
export type ColumnTarget = { kind: 'skip' } | { kind: 'input'; inputKey: string; param: AppParameter | null };

export interface ColumnRules {
  keyColumn: string | undefined;
  omit: ReadonlySet<string>;
  map: ReadonlyMap<string, string>;
}

type Match = { param: AppParameter } | { candidates: AppParameter[] };

const SKIP: ColumnTarget = { kind: 'skip' };

/** The name a user can write for a parameter in a column header or in --map. */
export function displayName(param: AppParameter): string {
  return param.aliases.includes(param.label) ? param.label : (param.aliases[0] ?? param.inputKey);
}

/**
 * Decides, once per column, where its values go. With an app definition a column (after --map renaming) must match
 * exactly one parameter by one of its aliases — exactly, or else case-insensitively when that is unique — and two
 * columns may not feed the same input; every failure is reported as a file issue naming the flag that fixes it.
 * Without an app definition columns pass through under their (mapped) names.
 */
export class ColumnPlanner {
  /** column → input key, for every column whose values are sent. */
  readonly mapping: Record<string, string> = {};
  private readonly columnByInput = new Map<string, string>();
  private readonly exact = new Map<string, AppParameter[]>();
  private readonly folded = new Map<string, AppParameter[]>();

  constructor(
    private readonly app: AppDefinition | null,
    private readonly rules: ColumnRules,
    private readonly issues: IssueCollector,
  ) {
    for (const param of app?.parameters ?? []) {
      for (const alias of new Set(param.aliases)) {
        index(this.exact, alias, param);
        index(this.folded, alias.toLowerCase(), param);
      }
    }
  }

  /** The column that feeds a parameter, if any. */
  columnFor(param: AppParameter): string | undefined {
    return this.columnByInput.get(param.inputKey);
  }

  /** Plans a newly seen column; `row` is the row where it first appeared (null for the header or first row). */
  plan(column: string, row: number | null): ColumnTarget {
    const mapped = this.rules.map.get(column);
    if (this.rules.omit.has(column) || (column === this.rules.keyColumn && mapped === undefined)) return SKIP;
    const name = mapped ?? column;
    if (this.app === null) return this.claim(column, name, null, row);
    const match = this.match(name);
    if ('param' in match) return this.claim(column, match.param.inputKey, match.param, row);
    this.reportMismatch(this.app, column, mapped, match.candidates, row);
    return SKIP;
  }

  private match(name: string): Match {
    const exact = this.exact.get(name) ?? [];
    const candidates = exact.length > 0 ? exact : (this.folded.get(name.toLowerCase()) ?? []);
    const [only] = candidates;
    return candidates.length === 1 && only !== undefined ? { param: only } : { candidates };
  }

  private claim(column: string, inputKey: string, param: AppParameter | null, row: number | null): ColumnTarget {
    const other = this.columnByInput.get(inputKey);
    if (other !== undefined) {
      const input = param ? displayName(param) : inputKey;
      const drop = omitFlag(column);
      const fix = drop ? `drop one with ${drop}` : `rename or delete one of them in the header`;
      const message = `columns '${other}' and '${column}' both feed input '${input}'; ${fix}`;
      this.issues.file(row, column, 'INPUT_DUPLICATED', message);
      return SKIP;
    }
    this.columnByInput.set(inputKey, column);
    setField(this.mapping, column, inputKey);
    return { kind: 'input', inputKey, param };
  }

  private reportMismatch(
    app: AppDefinition,
    column: string,
    mapped: string | undefined,
    candidates: AppParameter[],
    row: number | null,
  ): void {
    const subject = mapped === undefined ? `column '${column}'` : `--map ${column}=${mapped}: '${mapped}'`;
    if (candidates.length > 1) {
      const which = candidates.map((p) => `'${displayName(p)}' (${p.aliases.map((a) => `'${a}'`).join(', ')})`);
      const pick = mapFlag(column, '<one of its names>') ?? 'a header name that is one of its names';
      const message = `${subject} matches several inputs of app '${app.name}': ${which.join('; ')}; pick one with ${pick}`;
      this.issues.file(row, column, 'COLUMN_AMBIGUOUS', message);
      return;
    }
    const inputs = listNames(app.parameters.map(displayName));
    const fix = mapped === undefined ? unmatchedFix(column) : `map it to one of these`;
    this.issues.file(
      row,
      column,
      'COLUMN_UNMATCHED',
      `${subject} matches no input of app '${app.name}'; inputs are ${inputs} — ${fix}`,
    );
  }
}

/** How to deal with a column that feeds no input, in flags a shell takes as they are shown. */
function unmatchedFix(column: string): string {
  const map = mapFlag(column, 'Input');
  const omit = omitFlag(column);
  if (map && omit) return `rename it with ${map} or drop it with ${omit}`;
  if (map)
    return `rename it with ${map}, or delete it from the header (--omit cannot name a column with a comma or spaces around its name)`;
  if (omit) return `drop it with ${omit}, or rename it in the header (--map cannot name a column with '=')`;
  return 'rename or delete it in the header';
}

function index(target: Map<string, AppParameter[]>, alias: string, param: AppParameter): void {
  const list = target.get(alias);
  if (list === undefined) target.set(alias, [param]);
  else if (!list.includes(param)) list.push(param);
}
