import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { instant } from './schedule.js';

describe('instant (backfill --from/--to)', () => {
  it('reads ISO 8601 times, a date alone as midnight UTC', () => {
    expect(instant('2026-11-01T06:30:00Z').toISOString()).toBe('2026-11-01T06:30:00.000Z');
    expect(instant('2026-11-01').toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('refuses what is not a time, saying what to type', () => {
    for (const bad of ['yesterday', '1700000000', '2026-13-45']) {
      expect(() => instant(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => instant('soon')).toThrow('expected a time such as 2026-11-01T00:00:00Z');
  });
});
