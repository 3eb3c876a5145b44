import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/durabatch.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `durabatch <args>` as a real process (built CLI), collecting stdout and stderr together. */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { detached?: boolean; cwd?: string } = {},
): Spawned {
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
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
