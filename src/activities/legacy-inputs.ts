import type { ItemSettings, ManifestFormat } from '../shared/batch-spec.js';
import type { ExportResultsInput, PrepareManifestInput } from './contracts.js';

/**
 * Activity inputs as 0.1 scheduled them. A task scheduled by a 0.1 workflow can reach a worker of this version during
 * an upgrade; it is converted here, at the activity's start (docs/decisions/0004-which-histories-replay.md).
 */

/** A row's activities found the batch's storage folder inside the item settings. */
export function rowStorage(input: { storage?: string; settings: ItemSettings & { storage?: string } }): string {
  const storage = input.storage ?? input.settings.storage;
  if (storage === undefined) throw new Error("the activity's input names no storage folder");
  return storage;
}

interface LegacyPrepareInput {
  batchId: string;
  manifestPath: string;
  format?: ManifestFormat;
  keyColumn?: string;
  omit: string[];
  map: Record<string, string>;
  provider: ItemSettings['provider'];
  app: string;
  storage: string;
}

interface LegacyExportInput {
  batchId: string;
  stopped?: string;
  storage: string;
  outDir?: string;
  provider: ItemSettings['provider'];
  app: string;
  maxFailures?: string;
}

/** What 0.1 did not send and these activities do not read: a row's wait settings, the tuning they do not use. */
const UNUSED = { waitSeconds: 0, itemTimeoutMs: 0, onAmbiguousSubmit: 'hold' as const };

export function prepareInputOf(input: PrepareManifestInput | LegacyPrepareInput): PrepareManifestInput {
  if ('spec' in input) return input;
  const name = input.manifestPath.split('/').pop() ?? input.manifestPath;
  return {
    spec: {
      batchId: input.batchId,
      source: { location: input.manifestPath, name },
      storage: input.storage,
      manifest: {
        omit: input.omit,
        map: input.map,
        ...(input.format ? { format: input.format } : {}),
        ...(input.keyColumn ? { keyColumn: input.keyColumn } : {}),
      },
      item: { provider: input.provider, app: input.app, ...UNUSED },
      tuning: { concurrency: 1, pageSize: 1 },
    },
  };
}

export function exportInputOf(input: ExportResultsInput | LegacyExportInput): ExportResultsInput {
  if ('spec' in input) return input;
  return {
    spec: {
      batchId: input.batchId,
      source: { location: '', name: '' },
      storage: input.storage,
      manifest: { omit: [], map: {} },
      item: { provider: input.provider, app: input.app, ...UNUSED },
      tuning: {
        concurrency: 1,
        pageSize: 1,
        ...(input.maxFailures ? { maxFailures: input.maxFailures } : {}),
        ...(input.outDir ? { outDir: input.outDir } : {}),
      },
    },
    ...(input.stopped !== undefined ? { stopped: input.stopped } : {}),
  };
}
