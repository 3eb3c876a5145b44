import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTE_PROVIDER, SEARCH_ATTRIBUTES } from '../../src/shared/constants.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { runCommand } from '../../src/temporal/executables.js';
import { freePort, httpAnswers } from '../../src/temporal/server-probe.js';
import { temporalAddress, temporalCliPath } from '../helpers/temporal-env.js';

const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

async function customAttributes(address: string, namespace = 'default'): Promise<Record<string, unknown>> {
  const connection = await Connection.connect({ address });
  try {
    return (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes;
  } finally {
    await connection.close();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the Temporal dev server', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'durabatch-dev-server-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shared by the integration run has the durabatch search attributes', async () => {
    const attributes = await customAttributes(temporalAddress());
    for (const name of SEARCH_ATTRIBUTES) expect(attributes[name]).toBe(KEYWORD);
  });

  it('keeps namespaces and search attributes in its db file across a restart', async () => {
    const dbFile = join(dir, 'restart', 'temporal.db');
    const logFile = join(dir, 'restart.log');
    const first = await startDevServer({ cliPath: temporalCliPath(), dbFile, ui: false, logFile });
    const pid = first.pid;
    try {
      expect(first.startedByUs).toBe(true);
      const attributes = await customAttributes(first.address);
      for (const name of SEARCH_ATTRIBUTES) expect(attributes[name]).toBe(KEYWORD);
      const created = await runCommand(temporalCliPath(), [
        ...['operator', 'namespace', 'create', '--namespace', 'durabatch-restart', '--address', first.address],
      ]);
      expect(created.code, created.output).toBe(0);
    } finally {
      await first.stop();
    }
    expect(pid !== null && isRunning(pid)).toBe(false);

    const second = await startDevServer({ cliPath: temporalCliPath(), dbFile, ui: false, logFile });
    try {
      const connection = await Connection.connect({ address: second.address });
      const described = await connection.workflowService.describeNamespace({ namespace: 'durabatch-restart' });
      await connection.close();
      expect(described.namespaceInfo?.name).toBe('durabatch-restart');
      const attributes = await customAttributes(second.address);
      for (const name of SEARCH_ATTRIBUTES) expect(attributes[name]).toBe(KEYWORD);
    } finally {
      await second.stop();
    }
  });

  it('reuses a server that already answers on a fixed port and restores missing search attributes', async () => {
    const port = await freePort('127.0.0.1');
    const uiPort = await freePort('127.0.0.1');
    const owner = await startDevServer({ cliPath: temporalCliPath(), port, uiPort, logFile: join(dir, 'reuse.log') });
    try {
      expect(owner.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
      const connection = await Connection.connect({ address: owner.address });
      await connection.operatorService.removeSearchAttributes({
        namespace: 'default',
        searchAttributes: [SEARCH_ATTRIBUTE_PROVIDER],
      });
      await connection.close();
      expect((await customAttributes(owner.address))[SEARCH_ATTRIBUTE_PROVIDER]).toBeUndefined();

      const reused = await startDevServer({ cliPath: temporalCliPath(), port, uiPort });
      expect(reused).toMatchObject({ address: owner.address, startedByUs: false, pid: null });
      expect((await customAttributes(owner.address))[SEARCH_ATTRIBUTE_PROVIDER]).toBe(KEYWORD);
      if (await httpAnswers(`http://127.0.0.1:${uiPort}`, 5_000)) expect(reused.uiUrl).toBe(owner.uiUrl);

      await reused.stop();
      expect(owner.pid !== null && isRunning(owner.pid)).toBe(true);
      expect((await customAttributes(owner.address))[SEARCH_ATTRIBUTE_PROVIDER]).toBe(KEYWORD);
    } finally {
      await owner.stop();
    }
  });
});
