import type { BatchSettings, ItemSettings, ManifestFormat } from './batch-spec.js';
import type { BatchWorkflowInput } from './batch-contract.js';
import type { ItemWorkflowInput } from './item-contract.js';
import type { PartitionState, PartitionWorkflowInput } from './partition-contract.js';
import type { RedriveRequest } from './redrive.js';
import type { ScheduledBatchInput } from './schedule.js';

/**
 * Workflow inputs as 0.1 wrote them (flat settings, the storage folder inside the item settings), converted at each
 * workflow's entry so that batches, partitions, rows and schedules started before the settings were given one shape
 * go on (docs/decisions/0004-which-histories-replay.md). Delete with the replay histories that need it.
 */

type LegacyItemSettings = ItemSettings & { storage: string; reportFailures?: boolean };

interface LegacySettings {
  format?: ManifestFormat;
  keyColumn?: string;
  omit: string[];
  map: Record<string, string>;
  concurrency: number;
  maxFailures?: string;
  outDir?: string;
  pageSize: number;
  partitions?: number;
}

export interface LegacyBatchInput extends LegacySettings {
  batchId: string;
  manifestPath: string;
  manifestName: string;
  item: LegacyItemSettings;
  redrive?: RedriveRequest;
}

export interface LegacyPartitionInput {
  batchId: string;
  partition: number;
  firstRow: number;
  lastRow: number;
  window: number;
  pageSize: number;
  item: LegacyItemSettings;
  state?: PartitionState;
  redrive?: RedriveRequest;
  paused?: boolean;
  partitionCount?: number;
  reportFailures?: boolean;
}

export interface LegacyItemInput {
  batchId: string;
  partitionWorkflowId: string;
  row: number;
  id: string;
  key: string;
  settings: LegacyItemSettings;
  version?: number;
}

export interface LegacyScheduledInput {
  schedule: string;
  manifest: string;
  manifestName: string;
  dataRoot: string;
  batch: LegacySettings & { item: ItemSettings & { reportFailures?: boolean } };
}

/** Only the presence of --max-failures reached a 0.1 partition; the threshold itself stayed with the batch. */
const THRESHOLD_NOT_CARRIED = 'set';

function itemSettings(legacy: ItemSettings & { storage?: string; reportFailures?: boolean }): ItemSettings {
  const { storage: _storage, reportFailures: _reportFailures, ...item } = legacy;
  return item;
}

function settingsOf(legacy: LegacySettings & { item: ItemSettings & { reportFailures?: boolean } }): BatchSettings {
  return {
    manifest: {
      omit: legacy.omit,
      map: legacy.map,
      ...(legacy.format !== undefined ? { format: legacy.format } : {}),
      ...(legacy.keyColumn !== undefined ? { keyColumn: legacy.keyColumn } : {}),
    },
    item: itemSettings(legacy.item),
    tuning: {
      concurrency: legacy.concurrency,
      pageSize: legacy.pageSize,
      ...(legacy.partitions !== undefined ? { partitions: legacy.partitions } : {}),
      ...(legacy.maxFailures !== undefined ? { maxFailures: legacy.maxFailures } : {}),
      ...(legacy.outDir !== undefined ? { outDir: legacy.outDir } : {}),
    },
  };
}

export function batchInputOf(input: BatchWorkflowInput | LegacyBatchInput): BatchWorkflowInput {
  if (!('manifestPath' in input)) return input;
  return {
    batchId: input.batchId,
    source: { location: input.manifestPath, name: input.manifestName },
    storage: input.item.storage,
    ...settingsOf(input),
    ...(input.redrive ? { redrive: input.redrive } : {}),
  };
}

export function partitionInputOf(input: PartitionWorkflowInput | LegacyPartitionInput): PartitionWorkflowInput {
  if ('spec' in input) return input;
  const partitionCount = input.partitionCount ?? 1;
  return {
    spec: {
      batchId: input.batchId,
      source: { location: '', name: '' },
      storage: input.item.storage,
      manifest: { omit: [], map: {} },
      item: itemSettings(input.item),
      tuning: {
        concurrency: input.window * partitionCount,
        pageSize: input.pageSize,
        ...(input.reportFailures ? { maxFailures: THRESHOLD_NOT_CARRIED } : {}),
      },
    },
    plan: { partition: input.partition, firstRow: input.firstRow, lastRow: input.lastRow, window: input.window },
    partitionCount,
    ...(input.state ? { state: input.state } : {}),
    ...(input.redrive ? { redrive: input.redrive } : {}),
    ...(input.paused !== undefined ? { paused: input.paused } : {}),
  };
}

export function itemInputOf(input: ItemWorkflowInput | LegacyItemInput): ItemWorkflowInput {
  if ('batch' in input) return input;
  return {
    batch: { batchId: input.batchId, storage: input.settings.storage },
    partitionWorkflowId: input.partitionWorkflowId,
    row: input.row,
    id: input.id,
    key: input.key,
    settings: itemSettings(input.settings),
    ...(input.version !== undefined ? { version: input.version } : {}),
  };
}

export function scheduledInputOf(input: ScheduledBatchInput | LegacyScheduledInput): ScheduledBatchInput {
  if (!('batch' in input)) return input;
  return {
    schedule: input.schedule,
    source: { location: input.manifest, name: input.manifestName },
    dataRoot: input.dataRoot,
    settings: settingsOf(input.batch),
  };
}
