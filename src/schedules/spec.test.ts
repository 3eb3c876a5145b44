import { describe, expect, it } from 'vitest';
import { checkScheduleName, formatDuration, scheduledManifest, scheduleSpec, ScheduleInputError } from './spec.js';

describe('scheduleSpec', () => {
  it('takes --every as an interval and --cron as a cron expression', () => {
    expect(scheduleSpec({ every: 7_200_000 })).toEqual({ intervals: [{ every: 7_200_000 }] });
    expect(scheduleSpec({ cron: '0 2 * * *' })).toEqual({ cronExpressions: ['0 2 * * *'] });
  });

  it('wants exactly one of them, and intervals of at least a second', () => {
    expect(() => scheduleSpec({})).toThrow(ScheduleInputError);
    expect(() => scheduleSpec({ every: 60_000, cron: '* * * * *' })).toThrow('exactly one');
    expect(() => scheduleSpec({ every: 500 })).toThrow('at least 1s');
  });
});

describe('scheduledManifest', () => {
  it('makes a path absolute and keeps its file name', () => {
    const m = scheduledManifest('data/products.csv', undefined);
    expect(m.url).toBe(false);
    expect(m.manifest).toMatch(/^\/.*\/data\/products\.csv$/);
    expect(m.manifestName).toBe('products.csv');
  });

  it('keeps an http(s) URL and names the file after its last path segment', () => {
    const m = scheduledManifest('https://files.example.com/exports/Product%20Feed.jsonl?v=2', undefined);
    expect(m).toEqual({
      manifest: 'https://files.example.com/exports/Product%20Feed.jsonl?v=2',
      manifestName: 'Product_Feed.jsonl',
      url: true,
    });
  });

  it('wants --format when the URL does not say, and takes any name then', () => {
    expect(() => scheduledManifest('https://example.com/export', undefined)).toThrow('add --format');
    expect(scheduledManifest('https://example.com/export', 'csv').manifestName).toBe('export');
    expect(scheduledManifest('https://example.com/', 'csv').manifestName).toBe('manifest');
  });

  it('refuses credentials in the URL and schemes other than http(s)', () => {
    expect(() => scheduledManifest('https://u:p@example.com/m.csv', undefined)).toThrow('user name or password');
    expect(() => scheduledManifest('s3://bucket/m.csv', undefined)).toThrow('only http(s) URLs and file paths');
  });
});

describe('names and durations', () => {
  it('accepts names that fit workflow ids and file names', () => {
    expect(() => checkScheduleName('nightly-feed_2.v1')).not.toThrow();
    for (const bad of ['', '-x', 'a b', 'a/b', 'x'.repeat(65)]) expect(() => checkScheduleName(bad)).toThrow();
  });

  it('prints durations in their largest whole unit', () => {
    expect(formatDuration(2000)).toBe('2s');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1500)).toBe('1500ms');
  });
});
