/**
 * The files of one batch directory. Row ids (`NormalizedRow.id`, made by encodeRowKey) are already safe as file
 * names; the helpers below still refuse any other id, so that no path built here can leave its folder.
 *
 *   prepared.json            what prepareManifest produced (row count, pages, app, column mapping)
 *   manifest.jsonl           one normalized row per line, manifest order
 *   rows.idx                 (rowCount + 1) big-endian uint64 byte offsets into manifest.jsonl
 *   submits/<id>.json        the submit record that makes run-starts happen at most once
 *   items/<id>.json          the row's result line, written atomically by recordResult
 *   outputs/<id>/<file>      downloaded outputs
 *   results.jsonl, results.csv, summary.json
 */
export const PREPARED_FILE = 'prepared.json';
export const MANIFEST_FILE = 'manifest.jsonl';
export const ROW_INDEX_FILE = 'rows.idx';
export const RESULTS_JSONL_FILE = 'results.jsonl';
export const RESULTS_CSV_FILE = 'results.csv';
export const SUMMARY_FILE = 'summary.json';
export const OUTPUTS_DIR = 'outputs';

export const ROW_INDEX_WIDTH = 8;

/** What encodeRowKey produces: unreserved bytes and %XX escapes, never a leading dot, at most a file name long. */
const SAFE_ROW_ID = /^[A-Za-z0-9_%~-][A-Za-z0-9_.%~-]{0,254}$/;

/** The row id itself, after checking that it is one plain path segment (no `/`, `..`, NUL or hidden name). */
export function rowIdSegment(id: string): string {
  if (!SAFE_ROW_ID.test(id)) {
    throw new RangeError(
      `row id ${JSON.stringify(id.slice(0, 100))} is not a safe file name (ids come from encodeRowKey)`,
    );
  }
  return id;
}

export function itemFile(id: string): string {
  return `items/${rowIdSegment(id)}.json`;
}

export function submitFile(id: string): string {
  return `submits/${rowIdSegment(id)}.json`;
}

export function outputDir(id: string): string {
  return `${OUTPUTS_DIR}/${rowIdSegment(id)}`;
}
