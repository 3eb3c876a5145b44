export type { BatchStorage } from './storage.js';
export { LocalStorage, openStorage, StoragePathError, isNotFound } from './local.js';
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
