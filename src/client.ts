import { Client, Connection } from '@temporalio/client';
import { connectionTls, type TemporalSettings } from './config.js';

/** Raised when Temporal cannot be reached; the CLI maps it to exit code 3. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
  readonly code = 'TEMPORAL_UNAVAILABLE';
}

export interface Connected {
  connection: Connection;
  client: Client;
}

/** Connects to the Temporal frontend named by the settings (TLS and API key as Temporal's own env names say). */
export async function connectTemporal(settings: TemporalSettings & { address: string }): Promise<Connected> {
  const tls = await connectionTls(settings);
  try {
    const connection = await Connection.connect({
      address: settings.address,
      ...(tls !== undefined ? { tls } : {}),
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
      connectTimeout: '10s',
    });
    return { connection, client: new Client({ connection, namespace: settings.namespace }) };
  } catch (err) {
    throw new TemporalUnavailableError(
      `cannot reach Temporal at ${settings.address} (${(err as Error).message}); check TEMPORAL_ADDRESS, or unset it to use the embedded dev server`,
      { cause: err },
    );
  }
}
