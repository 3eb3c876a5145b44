import { spawn, type ChildProcess } from 'node:child_process';
import { constants, readFileSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** File name of an executable on this platform (`temporal` or `temporal.exe`). */
export function exeName(base: string): string {
  return process.platform === 'win32' ? `${base}.exe` : base;
}

/** True when `path` is a regular file this process may execute. */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable named `name` in the `PATH` of `env`, like `command -v`; null when there is none. */
export async function whichOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, exeName(name));
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Result of {@link runCommand}: exit code (null when killed), signal and the combined output. */
export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs a command to completion with no stdin and returns its exit status and combined stdout/stderr. `onLine`
 * sees each output line as it arrives; `timeoutMs` kills the command with SIGKILL when it runs too long.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onLine?: (line: string) => void } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      if (!opts.onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) opts.onLine(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (partial !== '' && opts.onLine) opts.onLine(partial);
      resolve({ code, signal, output });
    });
  });
}

/** The last `count` non-empty lines of `text`, for error messages. */
export function tailLines(text: string, count = 20): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}

/**
 * The durabatch package root: the nearest folder above `from` (default: this module) whose package.json is named
 * `durabatch`. Falls back to the current directory when there is none (e.g. a bundled copy).
 */
export function findProjectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'durabatch') return dir;
    } catch {
      // no (readable) package.json here: keep walking up
    }
    if (dirname(dir) === dir) return process.cwd();
  }
}

/**
 * Stops a child process: SIGTERM, then SIGKILL when it is still running after `graceMs`. Resolves once it has exited
 * (or 5 s after SIGKILL).
 */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  const exitsWithin = (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((done) => (timer = setTimeout(() => done(false), ms)));
    return Promise.race([gone.then(() => true), late]).finally(() => clearTimeout(timer));
  };
  child.kill('SIGTERM');
  if (await exitsWithin(graceMs)) return;
  child.kill('SIGKILL');
  await exitsWithin(5_000);
}
