import { absolutePath } from '../../config.js';
import { manifestSpecOf, type ManifestOptions } from '../command-options.js';
import { EXIT } from '../errors.js';
import { validateLocally } from '../local-validation.js';
import { plural } from '../../shared/plural.js';

/**
 * `durabatch validate`: every check of `run` (rows, columns, keys, the app's parameters when the provider key is
 * in the environment) without starting anything or spending credits.
 */
export async function validateCommand(
  manifest: string,
  opts: ManifestOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const result = await validateLocally({
    manifestPath: absolutePath(manifest),
    spec: manifestSpecOf(opts),
    item: opts,
    env,
  });
  const out = process.stdout;
  out.write(`${manifest}: ${plural(result.rowCount, 'row')}, all valid\n`);
  if (result.app) {
    out.write(`Columns → inputs of ${opts.provider} app '${result.app.name}':\n`);
    for (const [column, input] of Object.entries(result.mapping)) out.write(`  ${column} → ${input}\n`);
  } else {
    out.write(`App parameters not checked: ${result.appUncheckedReason ?? 'unknown reason'}\n`);
  }
  return EXIT.ok;
}
