import { rm } from 'node:fs/promises';
import { join } from 'node:path';
// `provide` keys are typed by the ProvidedContext augmentation in ./temporal-env.ts (not imported: it loads vitest's
// test-side API, which does not belong in the main process).
import type { TestProject } from 'vitest/node';
import { findTemporalCli, TemporalCliNotFoundError } from '../../src/temporal/cli-path.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { findProjectRoot } from '../../src/temporal/executables.js';
import { connectToTemporal } from '../../src/temporal/server-probe.js';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes.js';

const log = (line: string): void => console.log(`[temporal] ${line}`);

/**
 * Vitest global setup for the integration project: resolves the Temporal CLI and starts ONE headless, in-memory
 * dev server (free port, namespace `default`, durabatch's search attributes, continue-as-new suggested after 400
 * history events) for the whole run, or uses the server named by `TEMPORAL_ADDRESS`. Tests read both through
 * test/helpers/temporal-env.ts. The returned teardown stops the server.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.TEMPORAL_ADDRESS;
  if (existing !== undefined && existing !== '') {
    project.provide('temporalAddress', existing);
    project.provide('temporalCliPath', await cliIfAtHand());
    await prepareExistingServer(existing, process.env.TEMPORAL_NAMESPACE ?? 'default');
    log(`Using TEMPORAL_ADDRESS=${existing}.`);
    return () => Promise.resolve();
  }
  const cli = await findTemporalCli({ log });
  const logFile = join(findProjectRoot(), '.temporal', 'logs', 'integration-dev-server.log');
  await rm(logFile, { force: true });
  log(`CLI: ${cli.path} (${cli.source}, ${cli.version})`);
  const server = await startDevServer({
    cliPath: cli.path,
    ui: false,
    namespace: 'default',
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 400, 'system.enableActivityEagerExecution': true },
    logFile,
    log,
  });
  log(`Dev server ready at ${server.address} (pid ${String(server.pid)}).`);
  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cli.path);
  return () => server.stop();
}

/** The CLI without downloads or builds: a run against TEMPORAL_ADDRESS must not wait minutes for one. */
async function cliIfAtHand(): Promise<string | null> {
  try {
    return (await findTemporalCli({ allowGoInstall: false, allowSdkDownload: false })).path;
  } catch (err) {
    if (err instanceof TemporalCliNotFoundError) return null;
    throw err;
  }
}

async function prepareExistingServer(address: string, namespace: string): Promise<void> {
  const connection = await connectToTemporal(address, { namespace, timeoutMs: 10_000 });
  if ('error' in connection) throw new Error(`TEMPORAL_ADDRESS=${address} does not answer: ${connection.error}`);
  try {
    await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}
