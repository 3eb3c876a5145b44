import { join } from 'node:path';
import { exeName, findProjectRoot, isExecutableFile, runCommand, tailLines, whichOnPath } from './executables.js';
import { goInstallTemporalCli } from './go-install.js';
import { downloadCliWithSdk, sdkCachedCliPath } from './sdk-download.js';

/** Where {@link findTemporalCli} found the CLI, in the order it looks. */
export type TemporalCliSource = 'env' | 'path' | 'project-cache' | 'sdk-download' | 'go-install';

/** A Temporal CLI executable that answered `--version`. */
export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
  /** First line of `temporal --version`. */
  version: string;
}

/** Options of {@link findTemporalCli}. */
export interface FindTemporalCliOptions {
  /** Folder whose `.temporal/bin` is the project cache; defaults to the durabatch package root. */
  projectRoot?: string;
  /** Progress lines for the user (a Go build takes minutes); silent by default. */
  log?: (line: string) => void;
  /** Build the CLI with `go install` when Go is on PATH (default true). */
  allowGoInstall?: boolean;
  /** Let the SDK download the CLI when it has not cached it yet (default true; needs internet). */
  allowSdkDownload?: boolean;
  /** Environment to read `TEMPORAL_CLI_PATH` and `PATH` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The SDK's download folder (default: the system temp dir, as the SDK does). */
  sdkDownloadDir?: string;
  /** How long the SDK download may take before it counts as failed (default 20 s). */
  sdkDownloadTimeoutMs?: number;
}

/** One option {@link findTemporalCli} tried and what came of it. */
export interface TemporalCliAttempt {
  option: string;
  outcome: string;
}

/**
 * Thrown when no way of getting the Temporal CLI worked. The message lists every option with what it said and how
 * to fix it; the CLI reports it as "infrastructure unavailable" (exit code 3).
 */
export class TemporalCliNotFoundError extends Error {
  override readonly name = 'TemporalCliNotFoundError';
  readonly code = 'TEMPORAL_CLI_NOT_FOUND';

  constructor(readonly attempts: readonly TemporalCliAttempt[]) {
    super(
      [
        'The Temporal CLI (`temporal`) was not found. Tried, in order:',
        ...attempts.map((a, i) => `  ${i + 1}. ${a.option}: ${a.outcome}`),
        'Fix it with any of:',
        '  - set TEMPORAL_CLI_PATH to a `temporal` executable;',
        '  - put `temporal` on PATH (https://docs.temporal.io/cli#install);',
        '  - run `bash scripts/install-temporal.sh`, which stores it in .temporal/bin;',
        '  - install Go >= 1.25 (https://go.dev/dl/) and run again: durabatch then builds it into .temporal/bin.',
      ].join('\n'),
    );
  }
}

type StepResult = { path: string } | { outcome: string };
interface Step {
  source: TemporalCliSource;
  option: string;
  find: () => Promise<StepResult>;
}

/**
 * Finds a working Temporal CLI in the order README.md gives ("Development"): `TEMPORAL_CLI_PATH`, `temporal`
 * on PATH, the project cache `.temporal/bin/temporal`, the SDK's cached download (downloading it if allowed), and
 * a `go install` into the project cache when Go is on PATH. A candidate counts only if `--version` succeeds.
 * Throws {@link TemporalCliNotFoundError} naming every option when none works.
 */
export async function findTemporalCli(opts: FindTemporalCliOptions = {}): Promise<TemporalCli> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => undefined);
  const binDir = join(opts.projectRoot ?? findProjectRoot(), '.temporal', 'bin');
  const cachePath = join(binDir, exeName('temporal'));
  const sdkPath = sdkCachedCliPath(opts.sdkDownloadDir);
  const steps: Step[] = [
    { source: 'env', option: 'TEMPORAL_CLI_PATH', find: () => fromEnv(env.TEMPORAL_CLI_PATH) },
    { source: 'path', option: 'PATH', find: () => fromPath(env) },
    { source: 'project-cache', option: `project cache ${cachePath}`, find: () => fromFile(cachePath) },
    { source: 'sdk-download', option: `SDK download ${sdkPath}`, find: () => fromSdk(sdkPath, opts) },
    { source: 'go-install', option: 'go install', find: () => fromGo(env, binDir, log, opts.allowGoInstall) },
  ];
  const attempts: TemporalCliAttempt[] = [];
  for (const step of steps) {
    const found = await step.find().catch((err: unknown) => ({ outcome: `failed: ${errorText(err)}` }));
    if ('outcome' in found) {
      attempts.push({ option: step.option, outcome: found.outcome });
      continue;
    }
    const probe = await probeVersion(found.path);
    if (typeof probe === 'string') return { path: found.path, source: step.source, version: probe };
    attempts.push({ option: step.option, outcome: `${found.path} does not run: ${probe.error}` });
    log(`Ignoring the Temporal CLI at ${found.path} (${step.option}): ${probe.error}`);
  }
  throw new TemporalCliNotFoundError(attempts);
}

async function fromEnv(value: string | undefined): Promise<StepResult> {
  if (value === undefined || value === '') return { outcome: 'not set' };
  return (await isExecutableFile(value)) ? { path: value } : { outcome: `${value} is not an executable file` };
}

async function fromPath(env: NodeJS.ProcessEnv): Promise<StepResult> {
  const path = await whichOnPath('temporal', env);
  return path === null ? { outcome: 'no `temporal` executable on PATH' } : { path };
}

async function fromFile(path: string): Promise<StepResult> {
  return (await isExecutableFile(path)) ? { path } : { outcome: 'not there' };
}

async function fromSdk(path: string, opts: FindTemporalCliOptions): Promise<StepResult> {
  if (await isExecutableFile(path)) return { path };
  if (opts.allowSdkDownload === false) return { outcome: 'not cached (download not allowed here)' };
  const timeoutMs = opts.sdkDownloadTimeoutMs ?? 20_000;
  opts.log?.(`Asking the Temporal SDK to download the CLI (up to ${Math.round(timeoutMs / 1000)} s)…`);
  const downloadDir = opts.sdkDownloadDir;
  return { path: await downloadCliWithSdk({ timeoutMs, ...(downloadDir === undefined ? {} : { downloadDir }) }) };
}

async function fromGo(
  env: NodeJS.ProcessEnv,
  binDir: string,
  log: (line: string) => void,
  allowed: boolean | undefined,
): Promise<StepResult> {
  const goPath = await whichOnPath('go', env);
  if (goPath === null) return { outcome: '`go` is not on PATH' };
  if (allowed === false) return { outcome: `not allowed here (Go found at ${goPath})` };
  return { path: await goInstallTemporalCli({ goPath, binDir, env, log }) };
}

async function probeVersion(path: string): Promise<string | { error: string }> {
  try {
    const result = await runCommand(path, ['--version'], { timeoutMs: 15_000 });
    const firstLine = result.output.trim().split('\n')[0] ?? '';
    if (result.code === 0) return firstLine;
    return {
      error: `\`--version\` exited with ${result.signal ?? String(result.code)}: ${tailLines(result.output, 3)}`,
    };
  } catch (err) {
    return { error: errorText(err) };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
