import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/shared/constants.js';
import { exeName, findProjectRoot, isExecutableFile } from '../../src/temporal/executables.js';

/** `temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD`. */
const INDEXED_VALUE_TYPE_KEYWORD = 2;

/** Where scripts/install-test-server.sh puts the server when it installs it. */
export const TEST_SERVER_CACHE = join(findProjectRoot(), '.temporal', 'test-server', exeName('temporal-test-server'));

/**
 * The time-skipping test server to run: `TEMPORAL_TEST_SERVER_PATH`, else the project cache. Throws when neither is
 * there, so that workflow tests fail (never skip) on a machine that has not installed it.
 */
export async function testServerPath(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const named = env.TEMPORAL_TEST_SERVER_PATH;
  const candidates = named ? [named, TEST_SERVER_CACHE] : [TEST_SERVER_CACHE];
  for (const path of candidates) if (await isExecutableFile(path)) return path;
  throw new Error(
    `Temporal's test server is not installed (${named ? `TEMPORAL_TEST_SERVER_PATH=${named} and ` : ''}` +
      `${TEST_SERVER_CACHE} are not executables): run \`bash scripts/install-test-server.sh\``,
  );
}

/**
 * Starts Temporal's time-skipping test server (the installed one: the SDK's own download needs internet) with a
 * client, a native connection for workers and durabatch's search attributes; tear it down with `env.teardown()`. Timers fire at once while a test
 * awaits a workflow's result through `env.client`; otherwise time runs as on the wall clock.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await testServerPath();
  logToFile(join(findProjectRoot(), '.temporal', 'logs', 'test-workflows.log'));
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path } },
  });
  // The test server knows no custom search attribute until one is added (it has no ListSearchAttributes, so
  // ensureSearchAttributes cannot ask first); workflows set them on every row.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((name) => [name, INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return env;
}

let logging = false;

/**
 * Sends the SDK's logs to `file`, sdk-core's own included (it warns that the test server lacks a newer server's
 * capability, and about each activity that completes after its row was cancelled), so the test output stays clean.
 */
function logToFile(file: string): void {
  if (logging) return;
  logging = true;
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file, { flags: 'a' });
  const write = (entry: LogEntry) => {
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    out.write(`${time} [${entry.level}] ${entry.message} ${JSON.stringify(entry.meta ?? {}, bigints)}\n`);
  };
  Runtime.install({ logger: new DefaultLogger('INFO', write), telemetryOptions: { logging: { forward: {} } } });
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
