import { describe, expect, it } from 'vitest';
import { fireBatchId, fireWorkflowIdPrefix, folderIn, isManifestUrl } from './schedule.js';

describe('fireBatchId', () => {
  it('names a fire’s batch after the schedule and its scheduled time, without colons', () => {
    const fire = `${fireWorkflowIdPrefix('nightly')}-2026-12-01T05:43:00Z`;
    expect(fire).toBe('schedule-nightly-2026-12-01T05:43:00Z');
    expect(fireBatchId('nightly', fire)).toBe('nightly-2026-12-01T054300Z');
  });

  it('gives distinct fires distinct batches, never the fire’s own id', () => {
    const a = fireBatchId('n', 'schedule-n-2026-12-01T05:43:00Z');
    const b = fireBatchId('n', 'schedule-n-2026-12-01T05:43:02Z');
    expect(a).not.toBe(b);
    expect(a).not.toBe('schedule-n-2026-12-01T05:43:00Z');
  });

  it('still derives a safe id of its own for a fire started by hand under another id', () => {
    expect(fireBatchId('n', 'my run: 1')).toBe('my-run-1-batch');
    expect(fireBatchId('n', 'schedule-other-2026-01-01T00:00:00Z')).toBe('schedule-other-2026-01-01T000000Z-batch');
  });

  it('keeps the id within 100 characters', () => {
    expect(fireBatchId('n', 'x'.repeat(300)).length).toBe(100);
  });
});

describe('folderIn and isManifestUrl', () => {
  it('joins without doubling slashes', () => {
    expect(folderIn('/data/', 'b-1')).toBe('/data/b-1');
    expect(folderIn('/data', 'b-1')).toBe('/data/b-1');
  });

  it('tells URLs from paths', () => {
    expect(isManifestUrl('https://example.com/m.csv')).toBe(true);
    expect(isManifestUrl('HTTP://example.com/m.csv')).toBe(true);
    expect(isManifestUrl('/data/m.csv')).toBe(false);
    expect(isManifestUrl('ftp://example.com/m.csv')).toBe(false);
  });
});
