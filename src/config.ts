import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_TASK_QUEUE } from './shared/constants.js';

/**
 * Settings read from the environment (design.md, "Command line"). Credentials are read here only to hand them
 * to the worker's adapters and to the redaction list; they never enter workflow inputs.
 */
export interface TemporalSettings {
  /** null: embedded mode (durabatch starts its own dev server and an in-process worker). */
  address: string | null;
  namespace: string;
  apiKey: string | null;
  tls: {
    clientCertPath: string;
    clientKeyPath: string;
    serverCaCertPath: string | null;
    serverName: string | null;
  } | null;
  taskQueue: string;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const cert = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const key = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  return {
    address: nonEmpty(env.TEMPORAL_ADDRESS),
    namespace: nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default',
    apiKey: nonEmpty(env.TEMPORAL_API_KEY),
    tls:
      cert && key
        ? {
            clientCertPath: cert,
            clientKeyPath: key,
            serverCaCertPath: nonEmpty(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH),
            serverName: nonEmpty(env.TEMPORAL_TLS_SERVER_NAME),
          }
        : null,
    taskQueue: nonEmpty(env.DURABATCH_TASK_QUEUE) ?? DEFAULT_TASK_QUEUE,
  };
}

/** Every credential value in the environment, so that messages can be scrubbed of them. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = ['LAMINA_API_KEY', 'ARTU_API_KEY', 'MAGNIFIC_API_KEY', 'MAGNIFIC_WEBHOOK_SECRET', 'TEMPORAL_API_KEY'];
  return names.map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

/** Largest output file accepted (DURABATCH_MAX_ASSET_MB, default 512 MB). */
export function maxAssetBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.DURABATCH_MAX_ASSET_MB ?? '512');
  return (Number.isFinite(mb) && mb > 0 ? mb : 512) * 1024 * 1024;
}

export function absolutePath(path: string, cwd = process.cwd()): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function nonEmpty(value: string | undefined): string | null {
  return value !== undefined && value.trim() !== '' ? value.trim() : null;
}

/** TLS material for a Temporal connection: client certificates, or plain TLS when only an API key is set. */
export interface ConnectionTls {
  clientCertPair: { crt: Buffer; key: Buffer };
  serverRootCACertificate?: Buffer;
  serverNameOverride?: string;
}

/** The `tls` option both the client's and the worker's connections take (undefined: no TLS). */
export async function connectionTls(settings: TemporalSettings): Promise<ConnectionTls | true | undefined> {
  if (settings.tls) {
    return {
      clientCertPair: {
        crt: await readFile(settings.tls.clientCertPath),
        key: await readFile(settings.tls.clientKeyPath),
      },
      ...(settings.tls.serverCaCertPath
        ? { serverRootCACertificate: await readFile(settings.tls.serverCaCertPath) }
        : {}),
      ...(settings.tls.serverName ? { serverNameOverride: settings.tls.serverName } : {}),
    };
  }
  return settings.apiKey ? true : undefined;
}
