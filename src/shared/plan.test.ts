import { describe, expect, it } from 'vitest';
import { exceedsThreshold, pageBounds, parseMaxFailures, planPartitions } from './plan.js';

describe('planPartitions', () => {
  it('covers every row exactly once with windows that add up to the concurrency', () => {
    for (const [rows, concurrency] of [
      [1, 20],
      [7, 3],
      [1000, 50],
      [100_000, 200],
      [12_345, 37],
    ] as const) {
      const plans = planPartitions(rows, concurrency);
      expect(plans[0]?.firstRow).toBe(1);
      expect(plans.at(-1)?.lastRow).toBe(rows);
      for (let k = 1; k < plans.length; k++) expect(plans[k]?.firstRow).toBe((plans[k - 1]?.lastRow ?? 0) + 1);
      expect(plans.reduce((n, p) => n + p.window, 0)).toBe(concurrency);
      for (const p of plans) expect(p.window).toBeGreaterThan(0);
    }
  });

  it('keeps one partition for small batches and splits large ones', () => {
    expect(planPartitions(1000, 50)).toHaveLength(1);
    expect(planPartitions(100_000, 200).length).toBeGreaterThan(1);
    expect(planPartitions(0, 10)).toEqual([]);
  });

  it('honours an explicit partition count but never more partitions than rows', () => {
    expect(planPartitions(100, 20, 4)).toHaveLength(4);
    expect(planPartitions(3, 20, 8)).toHaveLength(3);
  });
});

describe('--max-failures', () => {
  it('parses counts and shares and rejects anything else', () => {
    expect(parseMaxFailures('5')).toEqual({ kind: 'count', value: 5 });
    expect(parseMaxFailures('12.5%')).toEqual({ kind: 'percent', value: 12.5 });
    expect(parseMaxFailures('-1')).toBeNull();
    expect(parseMaxFailures('120%')).toBeNull();
    expect(parseMaxFailures('lots')).toBeNull();
  });

  it('treats any failure as over the threshold when none is given', () => {
    expect(exceedsThreshold(0, 10, null)).toBe(false);
    expect(exceedsThreshold(1, 10, null)).toBe(true);
    expect(exceedsThreshold(3, 10, { kind: 'count', value: 3 })).toBe(false);
    expect(exceedsThreshold(4, 10, { kind: 'count', value: 3 })).toBe(true);
    expect(exceedsThreshold(1, 10, { kind: 'percent', value: 10 })).toBe(false);
    expect(exceedsThreshold(2, 10, { kind: 'percent', value: 10 })).toBe(true);
  });
});

describe('pageBounds', () => {
  it('returns the page holding a row, cut at the partition end', () => {
    expect(pageBounds(1, 50, 300)).toEqual([1, 50]);
    expect(pageBounds(51, 50, 300)).toEqual([51, 100]);
    expect(pageBounds(290, 50, 295)).toEqual([251, 295]);
  });
});
