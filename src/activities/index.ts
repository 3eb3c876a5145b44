import { createAwaitActivities } from './await.js';
import type { ActivityDeps } from './deps.js';
import { createFetchManifest } from './fetch-manifest.js';
import { createManifestActivities } from './manifest.js';
import { createCollectOutputs } from './outputs.js';
import { exportResults, readItemResult, recordResult } from './results.js';
import { createSubmitRun } from './submit.js';

export type { ActivityDeps } from './deps.js';

/**
 * Every activity of durabatch, bound to the worker's dependencies (adapters built from its environment).
 * Workflows import only the type of this function's result.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createManifestActivities(deps),
    submitRun: createSubmitRun(deps),
    ...createAwaitActivities(deps),
    collectOutputs: createCollectOutputs(deps),
    recordResult,
    readItemResult,
    exportResults,
    fetchManifest: createFetchManifest(deps),
  };
}
