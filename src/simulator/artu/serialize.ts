import { createHash } from 'node:crypto';
import type { AssetSigner } from '../assets.js';
import type { ArtuExecution } from './executions.js';

/** The organization every simulated execution belongs to. */
export const ARTU_ORGANIZATION_ID = 'org_simulator';

/** What serializing needs besides the execution: the signer for fresh asset URLs and their lifetime. */
export interface ArtuView {
  signer: AssetSigner;
  assetTtlMs: number;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** producedFiles of a completed execution (URLs signed afresh on every read), else []. */
export function producedFiles(execution: ArtuExecution, view: ArtuView): Record<string, unknown>[] {
  if (execution.status !== 'completed') return [];
  return execution.fileSizes.map((sizeBytes, i) => ({
    id: `file_${shortHash(`${execution.id}:file:${i}`)}`,
    name: `image-${i + 1}.png`,
    mimeType: 'image/png',
    url: view.signer.signedUrl(execution.id, i, view.assetTtlMs),
    sizeBytes,
  }));
}

/** producedRecords of a completed execution (one caption), else []. */
export function producedRecords(execution: ArtuExecution): Record<string, unknown>[] {
  if (execution.status !== 'completed') return [];
  const prompt = execution.trigger.inputs['prompt'];
  const subject = typeof prompt === 'string' ? prompt : 'the workflow inputs';
  return [
    { id: `rec_${shortHash(`${execution.id}:caption`)}`, kind: 'caption', text: `Simulated caption for ${subject}` },
  ];
}

function durationMs(execution: ArtuExecution): number | null {
  return execution.completedAt === null ? null : execution.completedAt - execution.createdAt;
}

function workflowTrace(execution: ArtuExecution, files: number): Record<string, unknown> {
  const { status, startedAt, completedAt, error } = execution;
  const nodeTraces: Record<string, unknown>[] = [
    { nodeId: 'trigger', type: 'trigger', durationMs: 0, error: null, skipped: false, outputs: {} },
  ];
  if (startedAt !== null) {
    const paused = status === 'waiting_for_input';
    const ranMs = paused
      ? execution.plan.durationMs - execution.plan.queuedMs
      : (completedAt ?? Date.now()) - startedAt;
    const outputs = status === 'completed' ? { files, records: 1 } : {};
    nodeTraces.push({ nodeId: 'generate', type: 'generation', durationMs: ranMs, error, skipped: false, outputs });
  }
  if (status === 'waiting_for_input') {
    nodeTraces.push({ nodeId: 'review', type: 'human_input', durationMs: 0, error: null, skipped: false, outputs: {} });
  }
  return { nodeTraces, durationMs: durationMs(execution), error };
}

/** The Execution as GET /workflows/executions/{id}, /wait and list show it. */
export function executionJson(execution: ArtuExecution, view: ArtuView): Record<string, unknown> {
  const { trigger } = execution;
  const resolvedVariables: Record<string, unknown> = { ...trigger.inputs };
  if (trigger.payload !== undefined) resolvedVariables['payload'] = trigger.payload;
  const files = producedFiles(execution, view);
  return {
    id: execution.id,
    organizationId: ARTU_ORGANIZATION_ID,
    environment: execution.environment,
    workflowId: execution.workflowId,
    eventId: execution.eventId,
    triggerType: trigger.triggerType,
    entityType: trigger.entityType,
    entityId: trigger.entityId,
    eventType: null,
    status: execution.status,
    error: execution.error,
    alertIds: [],
    durationMs: durationMs(execution),
    initiatedBy: null,
    createdAt: iso(execution.createdAt),
    completedAt: iso(execution.completedAt),
    producedRecords: producedRecords(execution),
    producedFiles: files,
    inputs: trigger.inputs,
    resolvedVariables,
    workflowTrace: workflowTrace(execution, files.length),
    warnings: execution.warnings.map((w) => ({ code: 'UNKNOWN_INPUT', field: w.field, message: w.message })),
  };
}

/**
 * The trigger's 200 body: 'queued' for an asynchronous run; for a synchronous one its status once ended (or
 * paused), with producedFiles/producedRecords when it completed.
 */
export function triggerJson(execution: ArtuExecution, view: ArtuView): Record<string, unknown> {
  const settled = execution.plan.sync && execution.status !== 'running';
  const body: Record<string, unknown> = {
    ok: true,
    workflowId: execution.workflowId,
    executionId: execution.id,
    status: settled ? execution.status : 'queued',
    error: settled ? execution.error : null,
    alertIds: [],
    durationMs: settled ? durationMs(execution) : null,
  };
  if (settled && execution.status === 'completed') {
    body['producedRecords'] = producedRecords(execution);
    body['producedFiles'] = producedFiles(execution, view);
  }
  return body;
}
