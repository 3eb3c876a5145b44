import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Frontend `host:port` of the Temporal server the integration run uses (namespace `default`). */
    temporalAddress: string;
    /** The `temporal` executable, or null when TEMPORAL_ADDRESS named a server and no CLI was at hand. */
    temporalCliPath: string | null;
  }
}

/**
 * Address of the Temporal server for this integration run: the dev server test/helpers/global-setup.ts started, or
 * the one named by `TEMPORAL_ADDRESS`. Its `default` namespace has durabatch's search attributes.
 */
export function temporalAddress(): string {
  return inject('temporalAddress');
}

/**
 * Path of the Temporal CLI that global setup resolved, for tests that start servers of their own. Throws when the
 * run used `TEMPORAL_ADDRESS` and found no CLI (set TEMPORAL_CLI_PATH or run scripts/install-temporal.sh).
 */
export function temporalCliPath(): string {
  const path = inject('temporalCliPath');
  if (path === null) {
    throw new Error('no Temporal CLI for this test: set TEMPORAL_CLI_PATH or run `bash scripts/install-temporal.sh`');
  }
  return path;
}
