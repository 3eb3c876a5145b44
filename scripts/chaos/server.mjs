// The chaos run's own Temporal dev server: a fixed port and a SQLite file, so that it can be stopped and started
// again with everything it knew. Started through durabatch's own startDevServer (search attributes registered).
import { join } from 'node:path';
import { findTemporalCli } from '../../dist/temporal/cli-path.js';
import { startDevServer } from '../../dist/temporal/dev-server.js';
import { freePort } from '../../dist/temporal/server-probe.js';

const IP = '127.0.0.1';

/** Starts the server; restart() stops it, waits `downMs`, and starts it again on the same port and file. */
export async function startRestartableServer({ dir, cliPath, log }) {
  const cli = cliPath ?? (await findTemporalCli({ log })).path;
  const port = await freePort(IP);
  const options = {
    cliPath: cli,
    dbFile: join(dir, 'temporal.db'),
    ip: IP,
    port,
    ui: false,
    logFile: join(dir, 'temporal.log'),
    dynamicConfig: { 'system.enableActivityEagerExecution': true },
    log: () => undefined,
  };
  let handle = await startDevServer(options);
  if (!handle.startedByUs) throw new Error(`port ${port} already had a Temporal server on it`);
  return {
    address: handle.address,
    dbFile: options.dbFile,
    /** Stops the server (SIGTERM, as an orderly shutdown would), waits, starts it again. Returns the pids. */
    async restart(downMs) {
      const before = handle.pid;
      await handle.stop();
      await new Promise((r) => setTimeout(r, downMs));
      handle = await startDevServer(options);
      if (!handle.startedByUs) throw new Error(`something else answered on port ${port} while the server was down`);
      return { before, after: handle.pid };
    },
    stop: () => handle.stop(),
  };
}
