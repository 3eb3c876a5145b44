import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/durabatch.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Starts `file <args>` as a real process, collecting stdout and stderr together. With `detached` it leads its own
 * process group, so {@link killGroup} stops it together with everything it started.
 */
export function spawnProcess(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  opts: { detached?: boolean; cwd?: string } = {},
): Spawned {
  const child = spawn(file, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    // A file that cannot be started emits 'error' and never 'exit'.
    child.on('error', (err) => {
      out += `${err.message}\n`;
      resolve(null);
    });
  });
  return { child, output: () => out, exited };
}

/** Starts `durabatch <args>` as a real process (built CLI), collecting stdout and stderr together. */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { detached?: boolean; cwd?: string } = {},
): Spawned {
  return spawnProcess(process.execPath, [CLI, ...args], env, opts);
}

/** Sends SIGKILL to the process group a `detached` {@link spawnProcess} leads, and waits for its leader to exit. */
export async function killGroup(p: Spawned): Promise<void> {
  const pid = p.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
  await p.exited;
}

/** Runs the CLI to completion. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { cwd?: string } = {},
): Promise<{ code: number | null; output: string }> {
  const p = spawnCli(args, env, opts);
  const code = await p.exited;
  return { code, output: p.output() };
}

/** Polls `check` every 200 ms until it returns true, failing after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
