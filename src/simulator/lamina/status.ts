import type { AssetSigner } from '../assets.js';
import type { LaminaRun } from './runs.js';

/** What a status response needs besides the run: the signer for fresh asset URLs and their lifetime. */
export interface StatusView {
  signer: AssetSigner;
  assetTtlMs: number;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function outputValue(run: LaminaRun, index: number, view: StatusView): string {
  const slot = run.outputs[index];
  if (slot?.type === 'text') return `Simulated text output ${index + 1} of run ${run.runId}`;
  return view.signer.signedUrl(run.runId, index, view.assetTtlMs);
}

/**
 * Output objects as Lamina shows them: pending until ready, then typed with a value (a freshly signed URL on
 * every read, so an expired URL can be renewed by reading the run again). Outputs not ready when a run fails or is
 * cancelled keep type 'pending' and get status 'error'.
 */
export function serializeOutputs(run: LaminaRun, view: StatusView): Record<string, unknown>[] {
  return run.outputs.map((slot, index) => {
    if (index < run.completedOutputs) {
      return {
        id: slot.id,
        label: slot.label,
        type: slot.type,
        value: outputValue(run, index, view),
        status: 'completed',
        error: null,
      };
    }
    const error = run.status === 'failed' || run.status === 'cancelled' ? run.errorMessage : null;
    return { id: slot.id, label: slot.label, type: 'pending', value: null, status: error ? 'error' : 'pending', error };
  });
}

function percentComplete(run: LaminaRun): number {
  if (run.completedAt !== null) return 100;
  if (run.startedAt === null) return 0;
  const running = run.plan.durationMs - run.plan.queuedMs;
  if (running <= 0) return 99;
  return Math.min(99, Math.floor(((Date.now() - run.startedAt) / running) * 100));
}

/** Lamina's ExecutionStatus of a run. */
export function executionStatus(run: LaminaRun, view: StatusView): Record<string, unknown> {
  const total = run.outputs.length;
  const failed = run.status === 'failed' || run.status === 'cancelled';
  return {
    runId: run.runId,
    workflowId: run.workflowId,
    status: run.status,
    outputs: serializeOutputs(run, view),
    errorMessage: run.errorMessage,
    startedAt: iso(run.startedAt),
    completedAt: iso(run.completedAt),
    createdAt: iso(run.createdAt),
    progress: {
      totalOutputs: total,
      completedOutputs: run.completedOutputs,
      failedOutputs: failed ? total - run.completedOutputs : 0,
      percentComplete: percentComplete(run),
    },
  };
}

/** The 202 body's `data` of POST /v1/apps/{appId}/runs. */
export function startedRun(run: LaminaRun, view: StatusView): Record<string, unknown> {
  const data: Record<string, unknown> = {
    runId: run.runId,
    workflowId: run.workflowId,
    workflowName: run.workflowName,
    status: run.status,
  };
  if (run.webhookUrl !== null) data['webhookUrl'] = run.webhookUrl;
  data['outputs'] = serializeOutputs(run, view);
  return data;
}

/** One entry of GET /v1/runs. */
export function listedRun(run: LaminaRun): Record<string, unknown> {
  return {
    runId: run.runId,
    workflowId: run.workflowId,
    status: run.status,
    errorMessage: run.errorMessage,
    startedAt: iso(run.startedAt),
    completedAt: iso(run.completedAt),
    createdAt: iso(run.createdAt),
  };
}
