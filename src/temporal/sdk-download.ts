import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exeName, isExecutableFile } from './executables.js';

const require = createRequire(import.meta.url);

/** Version of @temporalio/testing; the SDK names its cached CLI download after it. */
export function sdkTestingVersion(): string {
  return (require('@temporalio/testing/package.json') as { version: string }).version;
}

/**
 * Where the SDK's `cached-download` executable puts the Temporal CLI: sdk-core's ephemeral_server module writes it
 * to `<downloadDir or the system temp dir>/temporal-sdk-typescript-<sdk version>` (with `.exe` on Windows), after
 * fetching `https://temporal.download/cli/default?sdk-name=sdk-typescript&sdk-version=…`.
 */
export function sdkCachedCliPath(downloadDir: string = tmpdir()): string {
  return join(downloadDir, exeName(`temporal-sdk-typescript-${sdkTestingVersion()}`));
}

/**
 * Makes the SDK download the Temporal CLI into its cache and returns the cached path. The SDK only downloads as part
 * of starting a server, so this starts a throw-away headless dev server through `TestWorkflowEnvironment.createLocal`
 * and tears it down again. Needs internet access to temporal.download; gives up after `timeoutMs` (a server that
 * still comes up later is torn down then). Loads the SDK's native runtime with its default options.
 */
export async function downloadCliWithSdk(opts: { downloadDir?: string; timeoutMs: number }): Promise<string> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const executable = {
    type: 'cached-download' as const,
    ...(opts.downloadDir === undefined ? {} : { downloadDir: opts.downloadDir }),
  };
  const starting = TestWorkflowEnvironment.createLocal({ server: { executable, ui: false } });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no download within ${Math.round(opts.timeoutMs / 1000)} s (no internet access?)`)),
      opts.timeoutMs,
    );
  });
  try {
    const env = await Promise.race([starting, timeout]);
    await env.teardown();
  } catch (err) {
    // A late success still started a server: stop it whenever it arrives.
    starting.then((env) => env.teardown()).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const path = sdkCachedCliPath(opts.downloadDir);
  if (!(await isExecutableFile(path))) throw new Error(`the SDK started a server but left no executable at ${path}`);
  return path;
}
