import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEARCH_ATTRIBUTES } from '../shared/constants.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { stopProcess } from './executables.js';
import { connectToTemporal, freePort, hostPort, httpAnswers, readLogTail, tcpAccepts } from './server-probe.js';

export { ensureSearchAttributes, SearchAttributeConflictError } from './search-attributes.js';

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** The `temporal` executable (see findTemporalCli). */
  cliPath: string;
  /** SQLite file that keeps workflows, namespaces and search attributes across restarts; in-memory without it. */
  dbFile?: string;
  /** Frontend IP (default 127.0.0.1). */
  ip?: string;
  /** Frontend port; 0 or absent picks a free one. A fixed port where a server already answers is reused. */
  port?: number;
  /** Web UI port; 0 or absent picks a free one. */
  uiPort?: number;
  /** Serve the Web UI (default true); false starts the server `--headless`. */
  ui?: boolean;
  /** Namespace created at start (default `default`). */
  namespace?: string;
  /** Extra `--dynamic-config-value KEY=VALUE` settings; values are JSON-encoded as the CLI expects. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Where the server's output goes (appended); default `<tmp>/durabatch-temporal-<port>.log`. */
  logFile?: string;
  /** Progress lines for the user. */
  log?: (line: string) => void;
  /** Keep the server running after this process exits (for `run --detach`); default false. */
  detached?: boolean;
  /** How long to wait for the frontend to answer (default 60 s). */
  startTimeoutMs?: number;
}

/** A running dev server, started by us or found already running. */
export interface DevServerHandle {
  /** Frontend `host:port` for `Connection.connect` / `NativeConnection.connect`. */
  address: string;
  uiUrl: string | null;
  namespace: string;
  pid: number | null;
  startedByUs: boolean;
  logFile: string | null;
  /** Stops a server we started (SIGTERM, then SIGKILL after 10 s); does nothing for a reused one. */
  stop(): Promise<void>;
}

/** Thrown when the dev server exits or does not answer in time; the message ends with the tail of its log. */
export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
  readonly code = 'TEMPORAL_DEV_SERVER_START_FAILED';

  constructor(
    reason: string,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(`Temporal dev server did not start: ${reason}. Last lines of ${logFile}:\n${logTail || '(empty)'}`);
  }
}

/** Dynamic config the SDK's own test server also sets: no call home to check for newer server versions. */
const DEFAULT_DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  'frontend.enableServerVersionCheck': false,
};

/**
 * Starts `temporal server start-dev` with durabatch's search attributes and waits until its frontend answers for
 * the namespace. With a fixed `port` where a Temporal server already answers, reuses that server instead (after
 * registering any missing search attributes) and returns a handle whose `stop()` does nothing.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServerHandle> {
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const ui = opts.ui ?? true;
  if (opts.port !== undefined && opts.port !== 0) {
    const reused = await reuseRunningServer(ip, opts.port, namespace, ui ? opts.uiPort : undefined);
    if (reused !== null) {
      opts.log?.(`Using the Temporal server already running at ${reused.address}.`);
      return reused;
    }
  }
  const port = opts.port || (await freePort(ip));
  const uiPort = ui ? opts.uiPort || (await freePort(ip)) : null;
  const address = hostPort(ip, port);
  const logFile = resolve(opts.logFile ?? join(tmpdir(), `durabatch-temporal-${port}.log`));
  await mkdir(dirname(logFile), { recursive: true });
  if (opts.dbFile !== undefined) await mkdir(dirname(resolve(opts.dbFile)), { recursive: true });

  const args = devServerArgs({ ...opts, ip, port, uiPort, namespace });
  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.cliPath, args, { stdio: ['ignore', out, out], detached: opts.detached ?? false });
  } finally {
    closeSync(out);
  }
  const killOnExit = (): void => void child.kill('SIGTERM');
  if (opts.detached) child.unref();
  else process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopProcess(child);
  };

  opts.log?.(`Starting the Temporal dev server at ${address} (log: ${logFile})…`);
  try {
    await waitUntilServing(child, { ip, port }, namespace, logFile, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const uiUrl = uiPort === null ? null : `http://${hostPort(ip, uiPort)}`;
  return { address, uiUrl, namespace, pid: child.pid ?? null, startedByUs: true, logFile, stop };
}

type ArgsInput = Omit<DevServerOptions, 'uiPort'> & {
  ip: string;
  port: number;
  uiPort: number | null;
  namespace: string;
};

function devServerArgs(o: ArgsInput): string[] {
  const args = ['server', 'start-dev', '--ip', o.ip, '--port', String(o.port), '--namespace', o.namespace];
  args.push('--log-level', 'warn');
  args.push(...(o.uiPort === null ? ['--headless'] : ['--ui-port', String(o.uiPort)]));
  if (o.dbFile !== undefined) args.push('--db-filename', o.dbFile);
  for (const name of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  for (const [key, value] of Object.entries({ ...DEFAULT_DYNAMIC_CONFIG, ...o.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}

async function reuseRunningServer(ip: string, port: number, namespace: string, uiPort: number | undefined) {
  const address = hostPort(ip, port);
  if (!(await tcpAccepts(ip, port, 1_000))) return null;
  const connection = await connectToTemporal(address, { timeoutMs: 2_000 });
  if ('error' in connection) return null;
  try {
    await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
  const candidateUi = uiPort === undefined ? null : `http://${hostPort(ip, uiPort)}`;
  const uiUrl = candidateUi !== null && (await httpAnswers(candidateUi, 1_000)) ? candidateUi : null;
  const stop = async (): Promise<void> => {
    // A server we did not start is not ours to stop.
  };
  const handle: DevServerHandle = { address, uiUrl, namespace, pid: null, startedByUs: false, logFile: null, stop };
  return handle;
}

async function waitUntilServing(
  child: ChildProcess,
  { ip, port }: { ip: string; port: number },
  namespace: string,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const address = hostPort(ip, port);
  let lastError = 'no answer yet';
  const spawned: { error?: Error } = {};
  child.once('error', (err) => (spawned.error = err));
  for (;;) {
    if (spawned.error) throw new DevServerStartError(spawned.error.message, logFile, '');
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.signalCode ?? `exit code ${String(child.exitCode)}`;
      throw new DevServerStartError(`the process ended with ${how}`, logFile, await readLogTail(logFile));
    }
    if (Date.now() >= deadline) {
      const reason = `no answer at ${address} within ${Math.round(timeoutMs / 1000)} s (${lastError})`;
      throw new DevServerStartError(reason, logFile, await readLogTail(logFile));
    }
    const connection = (await tcpAccepts(ip, port, 1_000))
      ? await connectToTemporal(address, { namespace, timeoutMs: 2_000 })
      : { error: `nothing accepts connections on ${address} yet` };
    if (!('error' in connection)) {
      try {
        await ensureSearchAttributes(connection, namespace);
      } finally {
        await connection.close();
      }
      return;
    }
    lastError = connection.error;
    await sleep(100);
  }
}
