import type { ProviderErrorContext } from '../errors.js';
import type { MagnificApp, MagnificAsset, MagnificRun, MagnificRunStatus } from './schemas.js';
import { MAGNIFIC_TERMINAL_STATUSES } from './schemas.js';
import type { AppDefinition, AppParameter, RunOutput, RunSnapshot, RunState } from '../types.js';
import { protocolError } from '../validate.js';

const STATES: Readonly<Record<MagnificRunStatus, RunState>> = {
  pending: 'queued',
  running: 'running',
  completed: 'succeeded',
  completed_with_errors: 'partial',
  failed: 'failed',
  cancelled: 'cancelled',
};

const FALLBACK_ERRORS: Partial<Record<MagnificRunStatus, string>> = {
  completed_with_errors: 'some steps of the app failed',
  failed: 'the run failed',
};

/**
 * Maps a Magnific run onto a RunSnapshot. `terminal` comes from the status alone; every asset of a completed or
 * partially completed run becomes an output labelled `image-1`, `video-1`, `audio-1`, … in the order given.
 */
export function toMagnificSnapshot(run: MagnificRun, ctx: ProviderErrorContext): RunSnapshot {
  if (run.status === 'completed' && !run.result) {
    throw protocolError(ctx, 'data.result', 'is missing on a completed run');
  }
  const outputs = [
    ...assetOutputs('image', run.result?.images),
    ...assetOutputs('video', run.result?.videos),
    ...assetOutputs('audio', run.result?.audios),
  ];
  const message = run.error_message?.trim() ? run.error_message : null;
  return {
    runId: run.run_id,
    providerStatus: run.status,
    state: STATES[run.status],
    terminal: MAGNIFIC_TERMINAL_STATUSES.includes(run.status),
    outputs,
    errorMessage: message ?? FALLBACK_ERRORS[run.status] ?? null,
    progress: null,
    records: null,
    createdAt: run.started_at ?? null,
    completedAt: run.completed_at ?? null,
  };
}

function assetOutputs(kind: 'image' | 'video' | 'audio', assets: readonly MagnificAsset[] | null | undefined) {
  return (assets ?? []).map((asset, i): RunOutput => ({
    id: asset.id ?? null,
    label: `${kind}-${i + 1}`,
    type: kind,
    url: asset.url,
    text: null,
    status: 'completed',
    error: null,
  }));
}

const PARAMETER_TYPES = new Set(['text', 'number', 'select', 'creation']);

/**
 * Maps Magnific's app definition. Runs key inputs by each input's `id`; a manifest column may use its label, key or
 * id (aliases in that order, without repeats). Options are kept for select inputs only.
 */
export function toMagnificApp(app: MagnificApp, requestedAppId: string): AppDefinition {
  return {
    appId: app.sqid ?? requestedAppId,
    name: app.name ?? requestedAppId,
    parameters: app.inputs.map((input): AppParameter => {
      const label = input.label?.trim() || input.key?.trim() || input.id;
      const names = [input.label, input.key, input.id].map((n) => n?.trim() ?? '').filter((n) => n !== '');
      return {
        inputKey: input.id,
        aliases: [...new Set(names)],
        label,
        type: PARAMETER_TYPES.has(input.type) ? (input.type as AppParameter['type']) : 'unknown',
        required: input.required ?? false,
        options: input.type === 'select' ? (input.options ?? null) : null,
        default: input.default ?? null,
      };
    }),
    outputs: [],
  };
}
