import { configuredPrivateHosts } from '../providers/asset-address.js';
import { createNormalizer, formatIssues, ManifestParseError, readRows } from '../manifest/index.js';
import type { ManifestIssue } from '../manifest/types.js';
import { ProviderConfigError, ProviderHttpError } from '../providers/errors.js';
import { createAdapter } from '../providers/index.js';
import type { AppDefinition } from '../providers/types.js';
import type { ItemSettings, ManifestSpec } from '../shared/batch-spec.js';
import { infraError, usageError } from './errors.js';

export interface LocalValidationInput {
  manifestPath: string;
  spec: ManifestSpec;
  /** Which app the rows are for. */
  item: Pick<ItemSettings, 'provider' | 'app'>;
  env: NodeJS.ProcessEnv;
}

export interface LocalValidation {
  rowCount: number;
  mapping: Record<string, string>;
  /** The app definition used, or null when the provider key is not in this process's environment. */
  app: AppDefinition | null;
  appUncheckedReason: string | null;
}

/**
 * Validates every row of a manifest in this process (the same rules prepareManifest applies on the worker),
 * so that `run` and `validate` report all problems before anything is started. Throws a usage error listing them.
 */
export async function validateLocally(input: LocalValidationInput): Promise<LocalValidation> {
  const { app, reason } = await fetchApp(input);
  const normalizer = createNormalizer({
    ...input.spec,
    app,
    privateUrlHosts: configuredPrivateHosts(input.env),
  });
  const parseIssues: ManifestIssue[] = [];
  try {
    for await (const raw of readRows(input.manifestPath, input.spec)) normalizer.accept(raw);
  } catch (err) {
    if (!(err instanceof ManifestParseError)) throw err;
    parseIssues.push({ row: err.row ?? null, column: err.column ?? null, code: err.code, message: err.message });
  }
  const result = normalizer.finish();
  const issues = [...parseIssues, ...result.issues];
  if (issues.length > 0) {
    const count = result.issueCount + parseIssues.length;
    throw usageError(
      `${input.manifestPath} has ${count} problem(s); nothing was submitted`,
      formatIssues(issues, count),
    );
  }
  return { rowCount: result.rowCount, mapping: result.mapping, app, appUncheckedReason: reason };
}

async function fetchApp({
  item,
  env,
}: LocalValidationInput): Promise<{ app: AppDefinition | null; reason: string | null }> {
  let adapter;
  try {
    adapter = createAdapter(item.provider, env);
  } catch (err) {
    if (!(err instanceof ProviderConfigError)) throw err;
    // A variable that is not set only means the app cannot be read from here (the workers may hold the key); one
    // that is set but wrong is a mistake to fix now.
    const set = err.variable !== undefined && (env[err.variable]?.trim() ?? '') !== '';
    if (set) throw usageError(`${err.message}; fix ${err.variable} in the environment of this command`);
    return { app: null, reason: err.message };
  }
  try {
    const app = await adapter.getApp(item.app);
    return { app, reason: app ? null : `${item.provider} does not describe its apps` };
  } catch (err) {
    if (err instanceof ProviderHttpError && err.status === 404) {
      throw usageError(`${item.provider} has no app '${item.app}': check --app`);
    }
    if (err instanceof ProviderHttpError && (err.status === 401 || err.status === 403)) {
      throw usageError(`${err.message}: check the API key in the environment`);
    }
    throw infraError(`could not read app '${item.app}' from ${item.provider}: ${(err as Error).message}`);
  }
}
