import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES } from '../shared/failures.js';
import { StorageElsewhereError } from '../storage/index.js';
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
  return guarded({
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
  });
}

/**
 * Every activity behind one guard: a batch whose data is on another host's disk fails its activity for good
 * (StorageOnAnotherHost) with the message that names both hosts and the fix, wherever storage is first opened.
 */
function guarded<T extends Record<string, (input: never) => Promise<unknown>>>(activities: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    // A named function, so Temporal registers the activity under the same name.
    out[name] = {
      [name]: async (input: never) => {
        try {
          return await fn(input);
        } catch (err) {
          if (!(err instanceof StorageElsewhereError)) throw err;
          throw ApplicationFailure.create({
            type: FAILURE_TYPES.storageElsewhere,
            message: err.message,
            nonRetryable: true,
          });
        }
      },
    }[name];
  }
  return out as T;
}
