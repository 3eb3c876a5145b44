export type { BatchStorage, StorageWriter } from './storage.js';
export { LocalStorage, StoragePathError, isNotFound, STALE_PART_MS } from './local.js';
export { S3Storage, S3LocationError, parseS3Location, s3ClientFromEnv } from './s3.js';
export { openStorage, isS3Location, StorageElsewhereError, thisHost } from './open.js';
export * from './layout.js';
export { RowWriter, readRowRange, readRow } from './rows.js';
export { claimRun, readClaim, claimFile, claimOwner, CLAIMS_DIR, type RunClaim } from './claims.js';
export {
  readSubmitRecord,
  writeSubmitRecord,
  markPending,
  clearPending,
  listPending,
  inputsFingerprint,
  PENDING_DIR,
  type SubmitRecord,
  type PendingSubmit,
} from './submits.js';
