import { loadClientConfigProfile, type ClientConfigTLS, type ConfigDataSource } from '@temporalio/envconfig';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_TASK_QUEUE } from './shared/constants.js';

/**
 * Settings read from the environment (README.md, "Running your own batch"). Credentials are read here only to hand
 * them to the worker's adapters and to the redaction list; they never enter workflow inputs.
 */
export interface TemporalSettings {
  /** null: embedded mode (durabatch starts its own dev server and an in-process worker). */
  address: string | null;
  namespace: string;
  apiKey: string | null;
  /** TLS as the profile and environment describe it (envconfig's shape); null when neither mentions TLS. */
  tls: ClientConfigTLS | null;
  /** gRPC headers sent on every call (profile `grpc_meta`, `TEMPORAL_GRPC_META_*`). */
  grpcMeta: Record<string, string>;
  taskQueue: string;
}

/**
 * A Temporal connection setting that cannot be used: a profile that does not exist, a config file that does not
 * parse or is missing, a TLS file that cannot be read. The CLI reports it as a usage error (exit 2).
 */
export class TemporalConfigError extends Error {
  override readonly name = 'TemporalConfigError';
  readonly code = 'TEMPORAL_CONFIG';
}

/**
 * Temporal's own conventions, through `@temporalio/envconfig`: the profile named by `TEMPORAL_PROFILE` (else
 * `default`) of the TOML file named by `TEMPORAL_CONFIG_FILE` (else `~/.config/temporalio/temporal.toml`), with
 * `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*` and `TEMPORAL_GRPC_META_*` winning
 * over the profile. No address anywhere means embedded mode. Blank variables count as unset.
 */
export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const vars = envconfigVars(env);
  const file = vars.TEMPORAL_CONFIG_FILE;
  if (file !== undefined && !existsSync(file)) {
    throw new TemporalConfigError(`TEMPORAL_CONFIG_FILE names ${file}, which does not exist`);
  }
  let profile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (err) {
    const where = file ?? 'the Temporal config file (~/.config/temporalio/temporal.toml)';
    const which = vars.TEMPORAL_PROFILE !== undefined ? `profile '${vars.TEMPORAL_PROFILE}'` : 'the default profile';
    throw new TemporalConfigError(
      `cannot load ${which} from ${where}: ${(err as Error).message}; fix the file or TEMPORAL_PROFILE`,
      { cause: err },
    );
  }
  return {
    address: nonEmpty(profile.address),
    namespace: nonEmpty(profile.namespace) ?? 'default',
    apiKey: nonEmpty(profile.apiKey),
    tls: profile.tls ?? null,
    grpcMeta: profile.grpcMeta ?? {},
    taskQueue: nonEmpty(env.DURABATCH_TASK_QUEUE) ?? DEFAULT_TASK_QUEUE,
  };
}

/** The variables envconfig reads, without unset or blank ones (blank `TEMPORAL_GRPC_META_*` still removes a header). */
function envconfigVars(env: NodeJS.ProcessEnv): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value.trim() !== '') vars[name] = value.trim();
    else if (name.startsWith('TEMPORAL_GRPC_META_')) vars[name] = '';
  }
  return vars;
}

/** Every credential value in the environment (and the profile's API key), so that messages can be scrubbed of them. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = [
    'LAMINA_API_KEY',
    'ARTU_API_KEY',
    'MAGNIFIC_API_KEY',
    'MAGNIFIC_WEBHOOK_SECRET',
    'TEMPORAL_API_KEY',
    'TEMPORAL_TLS_CLIENT_KEY_DATA',
    // Storage credentials (S3): never in a history, a log or an error either.
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
  ];
  const values = names.map((n) => env[n]);
  try {
    values.push(temporalSettings(env).apiKey ?? undefined);
  } catch {
    // A broken profile is reported where the connection is made; redaction works with what it has.
  }
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length >= 4))];
}

/** Largest output file accepted (DURABATCH_MAX_ASSET_MB, default 2048 MB = 2 GiB). */
export function maxAssetBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.DURABATCH_MAX_ASSET_MB ?? '2048');
  return Math.floor((Number.isFinite(mb) && mb > 0 ? mb : 2048) * 1024 * 1024);
}

export function absolutePath(path: string, cwd = process.cwd()): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function nonEmpty(value: string | undefined): string | null {
  return value !== undefined && value.trim() !== '' ? value.trim() : null;
}

/** TLS material for a Temporal connection (an empty object: TLS with the system's root certificates). */
export interface ConnectionTls {
  clientCertPair?: { crt: Buffer; key: Buffer };
  serverRootCACertificate?: Buffer;
  serverNameOverride?: string;
}

/**
 * The `tls` option both the client's and the worker's connections take: undefined for none, `true` when only an
 * API key is set (Temporal Cloud), false when the profile or `TEMPORAL_TLS=false` turns it off.
 */
export async function connectionTls(settings: TemporalSettings): Promise<ConnectionTls | boolean | undefined> {
  const tls = settings.tls;
  if (!tls) return settings.apiKey ? true : undefined;
  if (tls.disabled === true) return false;
  // One after the other, so that with several files missing the error always names the first.
  const crt = await readSource(tls.clientCert, 'client certificate');
  const key = await readSource(tls.clientKey, 'client key');
  const ca = await readSource(tls.serverCACert, 'server CA certificate');
  if ((crt === undefined) !== (key === undefined)) {
    throw new TemporalConfigError('TLS needs both a client certificate and its key (or neither)');
  }
  return {
    ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    ...(ca ? { serverRootCACertificate: ca } : {}),
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
  };
}

/** What `Connection.connect` and `NativeConnection.connect` both take, built from the settings. */
export async function connectionOptions(settings: TemporalSettings & { address: string }): Promise<{
  address: string;
  tls?: ConnectionTls | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}> {
  const tls = await connectionTls(settings);
  return {
    address: settings.address,
    ...(tls !== undefined ? { tls } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(Object.keys(settings.grpcMeta).length > 0 ? { metadata: settings.grpcMeta } : {}),
  };
}

async function readSource(source: ConfigDataSource | undefined, what: string): Promise<Buffer | undefined> {
  if (source === undefined) return undefined;
  if ('data' in source) return Buffer.from(source.data);
  try {
    return await readFile(source.path);
  } catch (err) {
    throw new TemporalConfigError(`cannot read the TLS ${what} at ${source.path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
