import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, judge, ZERO_SETTLE_MS, type Candidate, type JudgeInput, type Rival } from './reconcile.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const FP = 'fp-row-a';
const self = { id: 'row-a', owner: 'row-a', fingerprint: FP, startedAt: T0, failedAt: T0 + 500 };

function run(runId: string, atMs: number, extra: Partial<Candidate> = {}): Candidate {
  return { runId, createdAt: T0 + atMs, fingerprint: null, claimedBy: null, ...extra };
}

function rival(id: string, sinceMs: number, state: Rival['state'], extra: Partial<Rival> = {}): Rival {
  return { id, since: T0 + sinceMs, failedAt: null, fingerprint: 'fp-other', state, ...extra };
}

function verdict(candidates: Candidate[], rivals: Rival[] = [], now = T0 + ZERO_SETTLE_MS + 1_000) {
  const input: JudgeInput = { self, candidates, rivals, now, appLabel: 'lamina app demo' };
  return judge(input);
}

describe('judging an ambiguous run-start (Lamina: the list shows no inputs)', () => {
  it('adopts the one run of the window that no row owns and no other unresolved start could have made', () => {
    expect(verdict([run('r1', 200), run('r0', 100, { claimedBy: 'row-b' })])).toEqual({ kind: 'adopt', runId: 'r1' });
  });

  it('adopts a run this row already claimed, whatever else the list shows', () => {
    const found = [run('r1', 200), run('r2', 300, { claimedBy: 'row-a' })];
    expect(verdict(found, [rival('row-c', 0, 'sending')])).toEqual({ kind: 'adopt', runId: 'r2' });
  });

  it('after a redrive, treats the run the row claimed in an earlier generation as another owner’s', () => {
    const redriven = { ...self, owner: 'row-a@1' };
    const found = [run('old', 100, { claimedBy: 'row-a' }), run('new', 200)];
    const input: JudgeInput = { self: redriven, candidates: found, rivals: [], now: T0 + 60_000, appLabel: 'x' };
    expect(judge(input)).toEqual({ kind: 'adopt', runId: 'new' });
  });

  it('refuses to guess between two unowned runs', () => {
    const v = verdict([run('r1', 200), run('r2', 300)]);
    expect(v.kind).toBe('unknown');
    expect(v.kind === 'unknown' && v.reason).toMatch(
      /2 runs of lamina app demo owned by no row match .*r1, r2; not guessing/,
    );
  });

  it('waits while another row whose start began before the run was created is still sending', () => {
    const v = verdict([run('r1', 200)], [rival('row-b', 100, 'sending')]);
    expect(v).toEqual({ kind: 'wait', reason: 'waiting for row row-b, whose run-start is still being sent' });
    // A row listed as pending whose record is not written yet counts as sending too.
    expect(verdict([run('r1', 200)], [rival('row-b', 100, null)]).kind).toBe('wait');
  });

  it('ignores rows that started sending after the run was created (beyond the clock-skew margin)', () => {
    const later = rival('row-b', 200 + CLOCK_SKEW_MS + 1, 'sending');
    expect(verdict([run('r1', 200)], [later])).toEqual({ kind: 'adopt', runId: 'r1' });
  });

  it('ignores rows that have since been answered (created or surely not created)', () => {
    const rivals = [rival('row-b', 0, 'created'), rival('row-c', 0, 'not-created')];
    expect(verdict([run('r1', 200)], rivals)).toEqual({ kind: 'adopt', runId: 'r1' });
  });

  it('ends unknown when another start in doubt could have created the same run', () => {
    const v = verdict([run('r1', 200)], [rival('row-b', 100, 'ambiguous', { failedAt: T0 + 400 })]);
    expect(v.kind).toBe('unknown');
    expect(v.kind === 'unknown' && v.reason).toContain('could also be from row row-b');
  });

  it('does not count a start in doubt whose window closed before the run was created', () => {
    const old = rival('row-b', -60_000, 'unknown', { failedAt: T0 - 60_000 + 500 });
    expect(verdict([run('r1', 200)], [old])).toEqual({ kind: 'adopt', runId: 'r1' });
  });

  it('waits for a run to show up, then ends unknown with the window when none did', () => {
    expect(verdict([], [], T0 + 1_000).kind).toBe('wait');
    const v = verdict([run('r0', 100, { claimedBy: 'row-b' })]);
    expect(v.kind).toBe('unknown');
    expect(v.kind === 'unknown' && v.reason).toMatch(
      /^no unowned run of lamina app demo with these inputs was created between 2026-01-01T09:59:55.000Z and .*\(1 found, each owned by another row\)$/,
    );
  });

  it('only considers runs created inside the window of this attempt', () => {
    const early = run('early', -CLOCK_SKEW_MS - 1);
    const late = run('late', 500 + ZERO_SETTLE_MS + CLOCK_SKEW_MS + 1);
    expect(verdict([early, run('r1', 200), late])).toEqual({ kind: 'adopt', runId: 'r1' });
  });
});

describe('judging an ambiguous run-start (Artu: the list shows inputs)', () => {
  it('matches on inputs, and only rows with the same inputs are rivals', () => {
    const other = run('r-other', 150, { fingerprint: 'fp-other' });
    const mine = run('r-mine', 200, { fingerprint: FP });
    expect(verdict([other, mine], [rival('row-b', 100, 'sending')])).toEqual({ kind: 'adopt', runId: 'r-mine' });
    const twin = rival('row-twin', 100, 'sending', { fingerprint: FP });
    expect(verdict([other, mine], [twin]).kind).toBe('wait');
  });

  it('ends unknown when no run has these inputs', () => {
    const v = verdict([run('r-other', 150, { fingerprint: 'fp-other' })]);
    expect(v.kind).toBe('unknown');
  });
});
