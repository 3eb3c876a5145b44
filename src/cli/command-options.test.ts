import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { batchSettingsOf, checkedOptions, runOptionsSchema } from './command-options.js';

const run = {
  provider: 'lamina',
  app: 'app-1',
  omit: [],
  map: {},
  concurrency: 20,
  onAmbiguousSubmit: 'hold',
  waitSeconds: 60,
  itemTimeout: 86_400_000,
  webhookPort: 8788,
};

describe("a command's options", () => {
  it('are checked against its schema, naming the flag that does not fit', () => {
    expect(checkedOptions('run', runOptionsSchema, run).concurrency).toBe(20);
    const bad = () => checkedOptions('run', runOptionsSchema, { ...run, concurrency: 0, onAmbiguousSubmit: 'maybe' });
    expect(bad).toThrow(CliError);
    expect(bad).toThrow(/--concurrency: .*; --on-ambiguous-submit: /);
    expect(() => checkedOptions('run', runOptionsSchema, { ...run, provider: 'other' })).toThrow(/--provider/);
  });

  it("build the batch's settings in one shape: the manifest spec, the item settings and the tuning", () => {
    const opts = checkedOptions('run', runOptionsSchema, {
      ...run,
      keyColumn: 'sku',
      omit: ['Notes'],
      map: { Prompt: 'Text' },
      format: 'csv',
      maxFailures: '10%',
      out: 'results',
      delivery: 'webhook',
      webhookBaseUrl: 'https://hooks.example',
      inputDeadline: 60_000,
    });
    const settings = batchSettingsOf(opts);
    expect(settings.manifest).toEqual({ keyColumn: 'sku', omit: ['Notes'], map: { Prompt: 'Text' }, format: 'csv' });
    expect(settings.item).toEqual({
      provider: 'lamina',
      app: 'app-1',
      waitSeconds: 60,
      itemTimeoutMs: 86_400_000,
      onAmbiguousSubmit: 'hold',
      inputDeadlineMs: 60_000,
      delivery: 'webhook',
      webhookBaseUrl: 'https://hooks.example',
    });
    expect(settings.tuning).toMatchObject({ concurrency: 20, pageSize: 200, maxFailures: '10%' });
    expect(settings.tuning.outDir).toMatch(/^\/.*\/results$/);
  });
});
