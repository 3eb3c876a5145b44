/**
 * Names that form durabatch's wire contract with Temporal: task queue, search attributes, signals, queries,
 * updates and workflow types. Sandbox-safe: imported by workflows and by everything else.
 */
export const DEFAULT_TASK_QUEUE = 'durabatch';

export const SEARCH_ATTRIBUTE_BATCH_ID = 'DurabatchBatchId';
export const SEARCH_ATTRIBUTE_PROVIDER = 'DurabatchProvider';
export const SEARCH_ATTRIBUTE_ITEM_STATUS = 'DurabatchItemStatus';

/** Custom search attributes registered on the dev server (`--search-attribute NAME=Keyword`) and by `setup`. */
export const SEARCH_ATTRIBUTES = [
  SEARCH_ATTRIBUTE_BATCH_ID,
  SEARCH_ATTRIBUTE_PROVIDER,
  SEARCH_ATTRIBUTE_ITEM_STATUS,
] as const;

export const PROVIDERS = ['lamina', 'artu', 'magnific'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/**
 * Rows of the normalized manifest per page; partitions load row keys one page at a time and continue as new after
 * each page. A page of 200 rows keeps a partition run near 1,300 events, so replaying one after losing its cached
 * state stays short (a 500-row page made runs of ~3,300 events, whose replay could outlast the workflow task).
 */
export const DEFAULT_PAGE_SIZE = 200;

/** Embedded dev server defaults: the Temporal CLI's own ports (frontend 7233, Web UI 8233). */
export const EMBEDDED_TEMPORAL_PORT = 7233;
export const EMBEDDED_UI_PORT = 8233;
