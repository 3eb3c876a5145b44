import { configuredPrivateHosts, type PrivateHosts } from '../providers/asset-address.js';
import type { AppDefinition, AppParameter } from '../providers/types.js';
import { ColumnPlanner, displayName, type ColumnTarget } from './columns.js';
import { firstRowColumns, headerOf, ownField, setField } from './fields.js';
import { IssueCollector, listNames } from './issues.js';
import { encodeRowKey } from './keys.js';
import { RowKeyRegistry } from './row-keys.js';
import type { ManifestIssue, NormalizedRow, NormalizeOptions, RawRow } from './types.js';
import { checkSize, checkValue, hasDefault, isAbsent } from './values.js';

/** Options of {@link createNormalizer}: the CLI's --key-column/--omit/--map, the app, and the issue limit. */
export type NormalizerOptions = NormalizeOptions & {
  app: AppDefinition | null;
  maxIssues?: number | undefined;
  /** Hosts that url inputs may name although they are private; default: as the environment says. */
  privateUrlHosts?: PrivateHosts | undefined;
};

/** What {@link Normalizer.finish} reports about the whole manifest. */
export interface NormalizeSummary {
  rowCount: number;
  /** Rows that had no issue of their own; the manifest is valid only when `issueCount` is 0. */
  validRows: number;
  /** The first `maxIssues` issues, problems with columns and options first. */
  issues: ManifestIssue[];
  /** All issues, including those not kept. */
  issueCount: number;
  /** Every column seen, in order of first appearance. */
  columns: string[];
  /** column → provider input key, for every column whose values are sent. */
  mapping: Record<string, string>;
}

/** Turns raw rows into rows ready to submit, one at a time, collecting every problem on the way. */
export interface Normalizer {
  /** The normalized row, or null when this row has a problem of its own (recorded as an issue). */
  accept(raw: RawRow): NormalizedRow | null;
  finish(): NormalizeSummary;
}

const DEFAULT_MAX_ISSUES = 1000;

/**
 * Creates the streaming normalizer that `validate` and prepareManifest run over every row. Columns are learned from
 * the first row (a CSV's whole header, a JSON object's keys); a column first seen in a later JSON row is checked the
 * same way. The key column must exist and hold a non-empty, unique value in every row (without --key-column the key
 * is the row number); --omit drops columns, --map renames them; with an app definition every other column must match
 * one input, every required input without a default needs a column and a value, and values are checked with zod.
 * Absent values (missing, null, '') are not sent, so the provider applies its own defaults.
 */
export function createNormalizer(options: NormalizerOptions): Normalizer {
  return new ManifestNormalizer(options);
}

class ManifestNormalizer implements Normalizer {
  private readonly keyColumn: string | undefined;
  private readonly issues: IssueCollector;
  private readonly planner: ColumnPlanner;
  /** Required parameters without a default: each needs a column and a value in every row. */
  private readonly required: AppParameter[];
  private readonly targets = new Map<string, ColumnTarget>();
  private readonly privateUrlHosts: PrivateHosts;
  /** Every key seen, to refuse duplicates (exact or by letter case); a Map of short strings per row. */
  private readonly keys: RowKeyRegistry | null;
  private keyColumnFound = false;
  private rowCount = 0;
  private validRows = 0;

  constructor(private readonly options: NormalizerOptions) {
    this.keyColumn = options.keyColumn;
    this.keys = options.keyColumn === undefined ? null : new RowKeyRegistry(options.keyColumn);
    this.privateUrlHosts = options.privateUrlHosts ?? configuredPrivateHosts();
    this.issues = new IssueCollector(options.maxIssues ?? DEFAULT_MAX_ISSUES);
    const omit = new Set(options.omit ?? []);
    const map = new Map(Object.entries(options.map ?? {}));
    for (const column of omit) {
      const input = map.get(column);
      if (input === undefined) continue;
      const message = `column '${column}' is both left out (--omit ${column}) and fed to an input (--map ${column}=${input}); drop one of the two`;
      this.issues.file(null, column, 'OMIT_MAP_CONFLICT', message);
    }
    this.planner = new ColumnPlanner(options.app, { keyColumn: this.keyColumn, omit, map }, this.issues);
    this.required = (options.app?.parameters ?? []).filter((p) => p.required && !hasDefault(p));
  }

  accept(raw: RawRow): NormalizedRow | null {
    if (this.rowCount++ === 0) this.start(raw);
    const before = this.issues.count;
    this.checkSizes(raw);
    const { key, id } = this.rowKey(raw);
    const inputs = this.rowInputs(raw);
    this.checkRequired(raw);
    if (this.issues.count !== before) return null;
    this.validRows++;
    return { row: raw.row, key, id, inputs };
  }

  finish(): NormalizeSummary {
    if (this.rowCount > 0) checkNamedColumns(this.options, this.targets, this.issues);
    return {
      rowCount: this.rowCount,
      validRows: this.validRows,
      issues: this.issues.list(),
      issueCount: this.issues.count,
      columns: [...this.targets.keys()],
      mapping: { ...this.planner.mapping },
    };
  }

  private learn(column: string, row: number | null): void {
    if (!this.targets.has(column)) this.targets.set(column, this.planner.plan(column, row));
  }

  /** File-level checks, against the header (CSV) or the first row's keys (JSON). */
  private start(raw: RawRow): void {
    for (const column of firstRowColumns(raw)) this.learn(column, null);
    const { keyColumn } = this;
    this.keyColumnFound = keyColumn !== undefined && this.targets.has(keyColumn);
    if (keyColumn !== undefined && !this.keyColumnFound) {
      const columns = listNames([...this.targets.keys()]);
      const message = `--key-column '${keyColumn}' names no column of the manifest${firstRowNote(raw)}; columns are ${columns}`;
      this.issues.file(null, keyColumn, 'KEY_COLUMN_MISSING', message);
    }
    for (const param of this.required) {
      if (this.planner.columnFor(param) !== undefined) continue;
      const name = displayName(param);
      const message =
        `app '${this.options.app?.name ?? ''}' requires input '${name}' but no column feeds it${firstRowNote(raw)}; ` +
        `add a column named '${name}' or point one at it with --map COLUMN=${name}`;
      this.issues.file(null, null, 'REQUIRED_INPUT_MISSING', message);
    }
  }

  private rowKey(raw: RawRow): { key: string; id: string } {
    const byRow = { key: String(raw.row), id: encodeRowKey(String(raw.row)) };
    const { keyColumn, keys } = this;
    if (keyColumn === undefined || keys === null || !this.keyColumnFound) return byRow;
    const value = ownField(raw.fields, keyColumn);
    const key = isAbsent(value) ? '' : String(value);
    if (key.trim() === '') {
      const message = `the key is empty; give every row a unique value in --key-column '${keyColumn}'`;
      this.issues.row(raw, keyColumn, 'KEY_EMPTY', message);
      return byRow;
    }
    const added = keys.add(key, raw.row);
    if ('id' in added) return { key, id: added.id };
    this.issues.row(raw, keyColumn, added.code, added.message);
    return byRow;
  }

  /** Every cell, sent or not, must stay within MAX_CELL_BYTES (values.ts). */
  private checkSizes(raw: RawRow): void {
    for (const [column, value] of Object.entries(raw.fields)) {
      if (column === this.keyColumn) continue; // a long key has its own, clearer issue
      const problem = checkSize(value);
      if (problem !== null) this.issues.row(raw, column, 'VALUE_TOO_LONG', problem);
    }
  }

  private rowInputs(raw: RawRow): Record<string, unknown> {
    const inputs: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(raw.fields)) {
      this.learn(column, raw.row);
      const target = this.targets.get(column);
      if (target?.kind !== 'input' || isAbsent(value)) continue;
      if (target.param === null) {
        setField(inputs, target.inputKey, value);
        continue;
      }
      const checked = checkValue(target.param, value, this.privateUrlHosts);
      if (checked.ok) setField(inputs, target.inputKey, checked.value);
      else this.issues.row(raw, column, checked.code, checked.message);
    }
    return inputs;
  }

  private checkRequired(raw: RawRow): void {
    for (const param of this.required) {
      const column = this.planner.columnFor(param);
      if (column === undefined || !isAbsent(ownField(raw.fields, column))) continue;
      const message = `required input '${displayName(param)}' has no value and no default; fill in this cell`;
      this.issues.row(raw, column, 'VALUE_REQUIRED', message);
    }
  }
}

/** --omit and --map must name columns that exist somewhere in the manifest. */
function checkNamedColumns(
  options: NormalizeOptions,
  seen: ReadonlyMap<string, unknown>,
  issues: IssueCollector,
): void {
  const columns = listNames([...seen.keys()]);
  for (const column of options.omit ?? []) {
    if (seen.has(column)) continue;
    issues.file(
      null,
      column,
      'OMIT_COLUMN_MISSING',
      `--omit ${column} names no column of the manifest; columns are ${columns}`,
    );
  }
  for (const [column, input] of Object.entries(options.map ?? {})) {
    if (seen.has(column)) continue;
    issues.file(
      null,
      column,
      'MAP_COLUMN_MISSING',
      `--map ${column}=${input} names no column of the manifest; columns are ${columns}`,
    );
  }
}

/** For JSON, the columns are those of the first row, which the message should say. */
function firstRowNote(raw: RawRow): string {
  return headerOf(raw) === null ? ' (judged by its first row)' : '';
}
