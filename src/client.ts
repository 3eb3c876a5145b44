import { Client, Connection } from '@temporalio/client';
import { connectionOptions, type TemporalSettings } from './config.js';

/** Raised when Temporal cannot be reached; the CLI maps it to exit code 3. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
  readonly code = 'TEMPORAL_UNAVAILABLE';
}

export interface Connected {
  connection: Connection;
  client: Client;
}

/**
 * Connects to the Temporal frontend named by the settings (address, namespace, API key, TLS and gRPC headers from
 * the environment and the envconfig profile). Unusable settings throw TemporalConfigError before any dialling.
 */
export async function connectTemporal(settings: TemporalSettings & { address: string }): Promise<Connected> {
  const options = await connectionOptions(settings);
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: '10s' });
    return { connection, client: new Client({ connection, namespace: settings.namespace }) };
  } catch (err) {
    throw new TemporalUnavailableError(
      `cannot reach Temporal at ${settings.address} (${(err as Error).message}); check TEMPORAL_ADDRESS or TEMPORAL_PROFILE, or unset them to use the embedded dev server`,
      { cause: err },
    );
  }
}
