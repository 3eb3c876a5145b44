/**
 * Manifest reading and validation: streaming CSV/JSON/JSONL readers, the normalizer that maps columns onto a
 * provider app's inputs and collects every problem, row-key encoding, and the CLI's issue report. Pure Node code,
 * no Temporal; activities and the CLI import from here.
 */
export type { ManifestFormat, ManifestIssue, NormalizedRow, NormalizeOptions, RawRow } from './types.js';
export { ManifestParseError, type ManifestLocation, type ManifestParseErrorCode } from './errors.js';
export { detectFormat, readRows, type ReadRowsOptions } from './read.js';
export { encodeRowKey, MAX_ROW_ID_LENGTH } from './keys.js';
export { createNormalizer, type Normalizer, type NormalizerOptions, type NormalizeSummary } from './normalize.js';
export type { ManifestIssueCode } from './issues.js';
export { formatIssues } from './format-issues.js';
