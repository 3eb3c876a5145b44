/**
 * The files of one batch directory. Row ids (`NormalizedRow.id`) are already safe as file names.
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

export function itemFile(id: string): string {
  return `items/${id}.json`;
}

export function submitFile(id: string): string {
  return `submits/${id}.json`;
}

export function outputDir(id: string): string {
  return `${OUTPUTS_DIR}/${id}`;
}
