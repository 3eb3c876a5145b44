import { createAwaitRun } from './await.js';
import { createCancelRun } from './cancel.js';
import type { ActivityDeps } from './deps.js';
import { createFetchManifest } from './fetch-manifest.js';
import { createManifestActivities } from './manifest.js';
import { createCollectOutputs } from './outputs.js';
import { beginRedrive, loadRedriveKeys } from './redrive.js';
import { exportResults, readItemResult, recordResult } from './results.js';
import { createSubmitRun } from './submit.js';

export type { ActivityDeps } from './deps.js';

/**
 * Every activity of durabatch by name, bound to the worker's dependencies (adapters built from its environment).
 * The names are a wire contract with running workflows; workflows import only the type of this function's result,
 * and each activity's input and output are in contracts.ts.
 */
export function createActivities(deps: ActivityDeps) {
  const { prepareManifest, loadRowKeys } = createManifestActivities(deps);
  return {
    // The batch
    prepareManifest,
    exportResults,
    fetchManifest: createFetchManifest(deps),
    beginRedrive,
    // Partitions
    loadRowKeys,
    loadRedriveKeys,
    readItemResult,
    // A row
    submitRun: createSubmitRun(deps),
    awaitRun: createAwaitRun(deps),
    collectOutputs: createCollectOutputs(deps),
    cancelRun: createCancelRun(deps),
    recordResult,
  };
}
