export type { BatchStorage } from './storage.js';
export { LocalStorage, openStorage, StoragePathError, isNotFound } from './local.js';
export * from './layout.js';
export { RowWriter, readRowRange, readRow } from './rows.js';
