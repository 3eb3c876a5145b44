import { WorkflowFailedError } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ARTU_WORKFLOW_ID, DEMO_LAMINA_APP_ID } from '../../src/simulator/index.js';
import { batchInput, startBatch, startHarness, uniqueId, type Harness } from '../helpers/harness.js';
import { runCli } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

describe('bad manifests', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await startHarness('manifest-errors');
    env = { ...h.env, TEMPORAL_ADDRESS: temporalAddress(), DURABATCH_TASK_QUEUE: h.taskQueue };
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function manifest(name: string, text: string): Promise<string> {
    const path = join(h.dir, name);
    await writeFile(path, text);
    return path;
  }

  const run = (path: string, ...extra: string[]) =>
    runCli(['run', path, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, ...extra], env);

  it('exits 2 on a flag with a bad value, before reading anything', async () => {
    const path = await manifest('any.csv', 'sku,Prompt\nA,one\n');
    const { code, output } = await runCli(['run', path, '--provider', 'openai', '--app', 'x'], env);
    expect(code).toBe(2);
    expect(output).toContain('lamina, artu, magnific');
  });

  it('refuses --detach without a Temporal cluster before starting anything', async () => {
    const path = await manifest('detach.csv', 'sku,Prompt\nA,one\n');
    const home = join(h.dir, 'detach-home');
    const noCluster: NodeJS.ProcessEnv = { ...env, DURABATCH_HOME: home };
    delete noCluster.TEMPORAL_ADDRESS;
    const { code, output } = await runCli(
      ['run', path, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--detach'],
      noCluster,
    );
    expect(code, output).toBe(2);
    expect(output).toContain('--detach needs a Temporal cluster (set TEMPORAL_ADDRESS)');
    expect(existsSync(home)).toBe(false);
  });

  it('rejects a CSV with a ragged row, naming its line, and submits nothing', async () => {
    const path = await manifest('ragged.csv', 'sku,Prompt\nA,one\nB,two,extra\n');
    const { code, output } = await run(path, '--key-column', 'sku');
    expect(code).toBe(2);
    expect(output).toMatch(/line 3/);
    expect(h.sim.counters().runsCreated).toBe(0);
  });

  it('reports every duplicate key with both rows', async () => {
    const path = await manifest('dups.csv', 'sku,Prompt\nA,one\nB,two\nA,three\n');
    const { code, output } = await run(path, '--key-column', 'sku');
    expect(code).toBe(2);
    expect(output).toMatch(/row 3/);
    expect(output).toMatch(/row 1/);
  });

  it('names a column that matches no input of the app and the flags that fix it', async () => {
    const path = await manifest('unknown-col.csv', 'sku,Prompt,Colour\nA,one,red\n');
    const { code, output } = await run(path, '--key-column', 'sku');
    expect(code).toBe(2);
    expect(output).toContain('Colour');
    expect(output).toContain('--omit');
    expect(output).toContain('--map');
  });

  it('names the row and column of a value outside an option list', async () => {
    const path = await manifest('bad-option.csv', 'sku,Prompt,Style\nA,one,Photoreal\nB,two,Cubism\n');
    const { code, output } = await run(path, '--key-column', 'sku');
    expect(code).toBe(2);
    expect(output).toMatch(/row 2/);
    expect(output).toContain('Style');
    expect(output).toContain('Cubism');
    expect(h.sim.counters().runsCreated).toBe(0);
  });

  it('validates a good manifest without spending and shows how columns map to inputs', async () => {
    const path = await manifest('good.csv', 'sku,Prompt,Aspect Ratio\nA,one,1:1\nB,two,16:9\n');
    const { code, output } = await runCli(
      ['validate', path, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID, '--key-column', 'sku'],
      env,
    );
    expect(code, output).toBe(0);
    expect(output).toContain('2 rows');
    expect(output).toContain('Aspect Ratio');
    expect(h.sim.counters().runsCreated).toBe(0);
  });

  it('refuses a provider setting that is set but wrong, and skips the app check only for one that is not set', async () => {
    const path = await manifest('artu.csv', 'id,prompt\nA,one\n');
    const validate = (over: NodeJS.ProcessEnv) =>
      runCli(['validate', path, '--provider', 'artu', '--app', DEMO_ARTU_WORKFLOW_ID, '--key-column', 'id'], {
        ...env,
        ...over,
      });
    const wrong = await validate({ ARTU_ENVIRONMENT: 'prod' });
    expect(wrong.code, wrong.output).toBe(2);
    expect(wrong.output).toContain("ARTU_ENVIRONMENT must be 'test' or 'live'; fix ARTU_ENVIRONMENT");
    expect(wrong.output).not.toContain('prod');
    const unset = await validate({ ARTU_ENVIRONMENT: '' });
    expect(unset.code, unset.output).toBe(0);
    expect(unset.output).toContain('App parameters not checked: artu: ARTU_ENVIRONMENT is not set');
    const good = await validate({});
    expect(good.code, good.output).toBe(0);
    expect(good.output).toContain('App parameters not checked: artu does not describe its apps');
    const lamina = await runCli(['validate', path, '--provider', 'lamina', '--app', DEMO_LAMINA_APP_ID], {
      ...env,
      LAMINA_BASE_URL: 'ftp://example.test',
    });
    expect(lamina.code, lamina.output).toBe(2);
    expect(lamina.output).toContain(
      'LAMINA_BASE_URL must be an http(s) URL without query or fragment; fix LAMINA_BASE_URL',
    );
  });

  it('fails a batch started around the CLI on the worker too, leaving no rows in storage', async () => {
    await h.startWorker();
    const path = await manifest('bad-direct.csv', 'sku,Prompt,Style\nA,one,Cubism\n');
    const batchId = uniqueId('invalid');
    const input = batchInput(h, path, batchId);
    const handle = await startBatch(h, input);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as Error & { type?: string };
    expect(cause.type).toBe('ManifestInvalid');
    expect(cause.message).toContain('Cubism');
    expect(existsSync(join(input.storage, 'manifest.jsonl'))).toBe(false);
    expect(h.sim.counters().runsCreated).toBe(0);
  });
});
