import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exeName, isExecutableFile, runCommand, tailLines } from './executables.js';

/** The Go package of the Temporal CLI that `go install` builds. */
export const TEMPORAL_CLI_GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
/** The newest CLI tag whose go.mod has no `replace` directive, so that `go install …@version` works. */
export const TEMPORAL_CLI_GO_VERSION = 'v1.5.1';

/**
 * Builds the Temporal CLI from source with `GOBIN=<binDir> GOTOOLCHAIN=local go install …@v1.5.1` and returns the
 * path of the new executable. A first build downloads and compiles a few hundred modules and takes minutes, so it
 * says so through `log` and reports every 30 s that it is still going. Throws with the tail of Go's output.
 */
export async function goInstallTemporalCli(opts: {
  goPath: string;
  binDir: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<string> {
  const target = `${TEMPORAL_CLI_GO_PACKAGE}@${TEMPORAL_CLI_GO_VERSION}`;
  opts.log(`Building the Temporal CLI with Go (${target}) into ${opts.binDir}.`);
  opts.log('A first build downloads and compiles a few hundred modules and takes a few minutes; later runs reuse it.');
  await mkdir(opts.binDir, { recursive: true });
  const started = Date.now();
  const ticker = setInterval(() => {
    opts.log(`Still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s)…`);
  }, 30_000);
  try {
    const result = await runCommand(opts.goPath, ['install', target], {
      env: { ...opts.env, GOBIN: opts.binDir, GOTOOLCHAIN: 'local' },
    });
    if (result.code !== 0) {
      const status = result.signal ?? `exit code ${String(result.code)}`;
      throw new Error(`go install failed (${status}):\n${tailLines(result.output, 15)}`);
    }
  } finally {
    clearInterval(ticker);
  }
  const path = join(opts.binDir, exeName('temporal'));
  if (!(await isExecutableFile(path))) throw new Error(`go install succeeded but left no executable at ${path}`);
  opts.log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${path}`);
  return path;
}
