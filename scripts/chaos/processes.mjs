// The real processes of a chaos run: the simulator (`durabatch simulate`), `durabatch worker` processes in
// their own process groups, and one-shot CLI commands. Everything started here is stopped by id.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/durabatch.js', import.meta.url));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Children still running; killed if this process exits first (its own process groups outlive it otherwise). */
const running = new Set();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/** Starts `durabatch <args>` in its own process group, its output collected in memory and appended to `logFile`. */
function spawnDurabatch(args, env, opts = {}) {
  return spawnInGroup(process.execPath, [CLI, ...args], env, opts);
}

/**
 * Starts `command <args>` in its own process group (killed with it, and killed if this process exits first), its
 * output collected in memory and appended to `logFile`.
 */
export function spawnInGroup(command, args, env, { cwd, logFile } = {}) {
  const child = spawn(command, args, {
    env,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
  let out = '';
  let stdout = '';
  const collect = (d) => {
    out += d.toString();
    file?.write(d);
  };
  child.stdout.on('data', (d) => {
    stdout += d.toString();
    collect(d);
  });
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      file?.end();
      resolve({ code, signal });
    }),
  );
  return { child, exited, output: () => out, stdout: () => stdout };
}

/** Sends `signal` to the whole process group of a child started by spawnDurabatch (no-op once it is gone). */
export function killGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Runs `durabatch <args>` to completion: exit code, stdout, and stdout and stderr together. */
export async function runCli(args, env, opts = {}) {
  const p = spawnDurabatch(args, env, opts);
  const { code, signal } = await p.exited;
  return { code: code ?? (signal ? 128 : null), stdout: p.stdout(), output: p.output() };
}

async function waitForOutput(p, pattern, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(p.output());
    if (m) return m;
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      throw new Error(`${what} exited before it was ready:\n${p.output().slice(-2000)}`);
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs / 1000} s:\n${p.output()}`);
    await sleep(100);
  }
}

/**
 * `durabatch simulate` on a free port as its own process; it accepts any `lma_` key, so the key lives in the
 * workers' environment only. configure() and counters() go through the simulator's HTTP control API.
 */
export async function startSimulatorProcess({ seed, runDurationMs, dir, env }) {
  const range = `${runDurationMs.min}-${runDurationMs.max}`;
  const args = ['simulate', '--port', '0', '--seed', String(seed), '--run-duration', range];
  const p = spawnDurabatch(args, env, { cwd: dir, logFile: join(dir, 'simulator.log') });
  const [, url] = await waitForOutput(p, /listening on (http:\/\/\S+)/, 'the simulator', 30_000);
  const control = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url,
    pid: p.child.pid,
    configure: (patch) => control('POST', '/_sim/config', patch),
    counters: () => control('GET', '/_sim/counters'),
    async stop() {
      killGroup(p.child, 'SIGTERM');
      await p.exited;
    },
  };
}

/**
 * Keeps one `durabatch worker` process running. kill() SIGKILLs its process group and starts a replacement; a
 * worker that exits on its own is recorded in `unexpectedExits` and replaced as well.
 */
export function workerPool({ env, dir, log }) {
  let current = null;
  let closing = false;
  let serial = 0;
  const unexpectedExits = [];
  const logs = [];

  async function start() {
    serial += 1;
    const logFile = join(dir, `worker-${serial}.log`);
    logs.push(logFile);
    const p = spawnDurabatch(['worker'], env, { cwd: dir, logFile });
    const entry = { p, serial, killedByUs: false };
    current = entry;
    void p.exited.then(async ({ code, signal }) => {
      if (entry.killedByUs || closing) return;
      unexpectedExits.push({ worker: serial, code, signal, tail: p.output().slice(-800) });
      log(
        `worker ${entry.serial} (pid ${p.child.pid}) exited by itself (${signal ?? `code ${code}`}); starting another`,
      );
      await sleep(1000);
      if (!closing && current === entry) await start().catch((err) => log(`worker restart failed: ${err.message}`));
    });
    await waitForOutput(p, /durabatch worker on/, `worker ${serial}`, 60_000).catch((err) => {
      // A worker that cannot connect (e.g. the server is down) exits; the exit handler above replaces it.
      log(err.message.split('\n')[0]);
    });
    return entry;
  }

  return {
    start,
    logs,
    unexpectedExits,
    /** The last lines of the running worker's output. */
    logTail: () => current?.p.output().slice(-3000) ?? '',
    /** SIGKILLs the running worker's process group, then starts a new worker. Returns the killed pid. */
    async kill() {
      const entry = current;
      if (!entry) throw new Error('no worker to kill');
      entry.killedByUs = true;
      killGroup(entry.p.child, 'SIGKILL');
      await entry.p.exited;
      await start();
      return entry.p.child.pid;
    },
    async stop() {
      closing = true;
      if (!current) return;
      killGroup(current.p.child, 'SIGTERM');
      const gone = await Promise.race([current.p.exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!gone) killGroup(current.p.child, 'SIGKILL');
    },
  };
}
