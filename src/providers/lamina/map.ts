import type { ProviderErrorContext } from '../errors.js';
import type { LaminaApp, LaminaExecution, LaminaOutput } from './schemas.js';
import { LAMINA_TERMINAL_STATUSES } from './schemas.js';
import type { AppDefinition, AppParameter, RunOutput, RunSnapshot, RunState } from '../types.js';
import { protocolError } from '../validate.js';

/**
 * Maps Lamina's ExecutionStatus onto a RunSnapshot. `terminal` comes from the run status alone, never from the
 * outputs. A completed run is `partial` when some outputs failed and some completed, `failed` when every output
 * failed (nothing to deliver), else `succeeded`.
 */
export function toRunSnapshot(exec: LaminaExecution, ctx: ProviderErrorContext): RunSnapshot {
  if (exec.status === 'completed' && exec.outputs === undefined) {
    throw protocolError(ctx, 'data.outputs', 'is missing on a completed run');
  }
  const outputs = (exec.outputs ?? []).map(toRunOutput);
  const state = runState(exec.status, outputs);
  const firstOutputError = outputs.find((o) => o.status === 'error')?.error ?? null;
  const errorMessage =
    exec.errorMessage ?? (state === 'failed' || state === 'partial' ? (firstOutputError ?? null) : null);
  return {
    runId: exec.runId,
    providerStatus: exec.status,
    state,
    terminal: LAMINA_TERMINAL_STATUSES.includes(exec.status),
    outputs,
    errorMessage: state === 'failed' && errorMessage === null ? 'every output of the run failed' : errorMessage,
    progress: exec.progress ?? null,
    records: null,
    createdAt: exec.createdAt ?? null,
    completedAt: exec.completedAt ?? null,
  };
}

function runState(status: LaminaExecution['status'], outputs: RunOutput[]): RunState {
  switch (status) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'running';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'completed': {
      const failed = outputs.some((o) => o.status === 'error');
      const completed = outputs.some((o) => o.status === 'completed');
      if (failed && completed) return 'partial';
      return failed ? 'failed' : 'succeeded';
    }
  }
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio']);

/** A failed output keeps `type: "pending"`: its `status` says it failed, so nothing is read from its type. */
function toRunOutput(out: LaminaOutput): RunOutput {
  const value = typeof out.value === 'string' ? out.value : null;
  return {
    id: out.id ?? null,
    label: out.label,
    type: out.type,
    url: MEDIA_TYPES.has(out.type) ? value : null,
    text: out.type === 'text' ? value : null,
    status: out.status,
    error: out.error ?? null,
  };
}

/**
 * Maps Lamina's app description. Inputs are keyed by the parameter name (exact, case-sensitive); a manifest column
 * may also use the parameter's key or id. Options become their label strings whatever shape the API used.
 */
export function toAppDefinition(app: LaminaApp, requestedAppId: string): AppDefinition {
  return {
    appId: app.appId ?? requestedAppId,
    name: app.name ?? requestedAppId,
    parameters: app.parameters.map((p): AppParameter => ({
      inputKey: p.name,
      aliases: [...new Set([p.name, ...(p.key ? [p.key] : []), p.id])],
      label: p.name,
      type: p.type === 'text' || p.type === 'options' || p.type === 'url' ? p.type : 'unknown',
      required: p.required ?? false,
      options: p.options ?? null,
      default: p.default ?? null,
    })),
    outputs: app.outputs ?? [],
  };
}
