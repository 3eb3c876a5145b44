import type { ProviderAdapter } from '../providers/types.js';
import type { ProviderName } from '../shared/constants.js';
import type { RunSnapshot } from '../providers/types.js';
import type { RunSnapshotLite } from './contracts.js';

/** What activities need from the worker: adapters built from its environment, and the secrets to redact. */
export interface ActivityDeps {
  adapterFor(provider: ProviderName): ProviderAdapter;
  /** Credential values from the worker's environment, scrubbed from every message that leaves an activity. */
  secrets: readonly string[];
  /** Largest output accepted, in bytes. */
  maxAssetBytes: number;
}

/** The parts of a snapshot that go into history (no timestamps or progress: they change on every poll). */
export function liteSnapshot(s: RunSnapshot): RunSnapshotLite {
  return {
    runId: s.runId,
    state: s.state,
    terminal: s.terminal,
    providerStatus: s.providerStatus,
    errorMessage: s.errorMessage,
    outputs: s.outputs.map((o) => ({
      label: o.label,
      type: o.type,
      url: o.url,
      text: o.text,
      status: o.status,
      error: o.error,
    })),
    records: s.records,
  };
}
