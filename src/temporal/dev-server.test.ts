import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevServerStartError, startDevServer } from './dev-server.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'durabatch-dev-server-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for `temporal` that records its arguments, complains and exits 1. */
async function failingCli(): Promise<string> {
  const path = join(dir, 'temporal');
  await writeFile(
    path,
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, 'args')}"\necho "can't set frontend port: in use"\nexit 1\n`,
  );
  await chmod(path, 0o755);
  return path;
}

describe('startDevServer', () => {
  it('passes db file, ports, namespace, search attributes and JSON-encoded dynamic config to the CLI', async () => {
    const logFile = join(dir, 'server.log');
    await startDevServer({
      cliPath: await failingCli(),
      dbFile: join(dir, 'data', 'temporal.db'),
      port: 1,
      uiPort: 2,
      namespace: 'jobs',
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 400, 'some.flag': true, 'some.name': 'x' },
      logFile,
    }).catch(() => undefined);
    const args = (await readFile(join(dir, 'args'), 'utf8')).trimEnd().split('\n');
    expect(args.slice(0, 2)).toEqual(['server', 'start-dev']);
    const pairs = args
      .slice(2)
      .reduce<string[]>((out, arg, i, all) => (i % 2 ? out : [...out, `${arg} ${all[i + 1]}`]), []);
    expect(pairs).toEqual([
      '--ip 127.0.0.1',
      '--port 1',
      '--namespace jobs',
      '--log-level warn',
      '--ui-port 2',
      `--db-filename ${join(dir, 'data', 'temporal.db')}`,
      '--search-attribute DurabatchBatchId=Keyword',
      '--search-attribute DurabatchProvider=Keyword',
      '--search-attribute DurabatchItemStatus=Keyword',
      '--dynamic-config-value frontend.enableServerVersionCheck=false',
      '--dynamic-config-value limit.historyCount.suggestContinueAsNew=400',
      '--dynamic-config-value some.flag=true',
      '--dynamic-config-value some.name="x"',
    ]);
  });

  it('starts headless without a UI and fails with the tail of the log when the process exits', async () => {
    const logFile = join(dir, 'server.log');
    const error = await startDevServer({ cliPath: await failingCli(), ui: false, logFile }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevServerStartError);
    expect(error).toMatchObject({ code: 'TEMPORAL_DEV_SERVER_START_FAILED', logFile });
    expect((error as Error).message).toMatch(/exit code 1[\s\S]*can't set frontend port: in use/);
    expect(await readFile(join(dir, 'args'), 'utf8')).toContain('--headless');
  });
});
