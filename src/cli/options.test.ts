import { InvalidArgumentError } from 'commander';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveBatchId } from './batch-id.js';
import { baseUrl, delivery, duration, list, mapPair, maxFailures, port, positiveInt, provider } from './options.js';
import { formatEta, RateMeter } from './progress.js';

describe('command-line values', () => {
  it('parses what users type and says what to type instead', () => {
    expect(positiveInt('20')).toBe(20);
    expect(() => positiveInt('0')).toThrow(InvalidArgumentError);
    expect(provider('lamina')).toBe('lamina');
    expect(() => provider('openai')).toThrow(/lamina, artu, magnific/);
    expect(mapPair('Colour=Style', { a: 'b' })).toEqual({ a: 'b', Colour: 'Style' });
    expect(() => mapPair('=Style')).toThrow(/COLUMN=INPUT/);
    expect(list('a, b', ['c'])).toEqual(['c', 'a', 'b']);
    expect(duration('90s')).toBe(90_000);
    expect(duration('2h')).toBe(7_200_000);
    expect(() => duration('soon')).toThrow(/duration/);
    expect(duration('250ms')).toBe(250);
    expect(() => duration('90')).toThrow("'90' has no unit; write it with one, e.g. 90s, 90m or 90h");
    expect(() => duration('0s')).toThrow(/longer than 0/);
    expect(() => duration('0.0001ms')).toThrow(/longer than 0/);
    expect(maxFailures('5%')).toBe('5%');
    expect(() => maxFailures('five')).toThrow(InvalidArgumentError);
    expect(delivery('stream')).toBe('stream');
    expect(() => delivery('sse')).toThrow(/wait, stream, webhook, poll/);
    expect(port('0')).toBe(0);
    expect(() => port('70000')).toThrow(/port number/);
    expect(baseUrl('https://hooks.example.com/durabatch/')).toBe('https://hooks.example.com/durabatch');
    expect(() => baseUrl('hooks.example.com')).toThrow(/http\(s\) URL/);
    expect(() => baseUrl('https://hooks.example.com/?token=1')).toThrow(/without query/);
  });
});

describe('the default batch id', () => {
  it('stays the same for the same manifest and settings and changes with anything that alters a submission', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'durabatch-id-'));
    try {
      const path = join(dir, 'm.csv');
      await writeFile(path, 'sku,Prompt\nA,one\n');
      const item = { provider: 'lamina' as const, app: 'app-1' };
      const spec = { omit: [], map: {} };
      const id = await deriveBatchId(path, item, spec);
      expect(id).toMatch(/^lamina-[0-9a-f]{16}$/);
      expect(await deriveBatchId(path, { ...item }, { ...spec })).toBe(id);
      expect(await deriveBatchId(path, { ...item, app: 'app-2' }, spec)).not.toBe(id);
      expect(await deriveBatchId(path, item, { ...spec, map: { Prompt: 'Text' } })).not.toBe(id);
      await writeFile(path, 'sku,Prompt\nA,two\n');
      expect(await deriveBatchId(path, item, spec)).not.toBe(id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('progress', () => {
  it('measures the rate over recent observations and turns it into an ETA', () => {
    const meter = new RateMeter(10_000);
    meter.observe(0, 0);
    meter.observe(10, 5_000);
    meter.observe(20, 10_000);
    expect(meter.rate()).toBeCloseTo(2);
    expect(meter.etaSeconds(30)).toBe(15);
    expect(formatEta(15)).toBe('15s');
    expect(formatEta(125)).toBe('2m05s');
    expect(formatEta(3_725)).toBe('1h02m');
    expect(formatEta(null)).toBe('--');
  });
});
