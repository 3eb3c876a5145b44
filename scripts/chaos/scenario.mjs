// What a chaos run does, and when. Events fire in order, each once a share of the batch's rows has a result line
// (so they land mid-run on any machine); every event finishes before the next one is considered.

/**
 * One accepted-then-dropped start while everything else is healthy: the case reconciliation can prove (nothing
 * else in doubt at that moment), so the row should be adopted rather than held.
 */
const loneDrop = (at) => ({
  at,
  kind: 'outage',
  windows: [{ kind: 'drop-after-accept', rate: 1, count: 1, ms: 0, maxMs: 60_000 }],
});

/**
 * The full run of `npm run chaos`: three worker SIGKILLs, one dev-server restart, a provider outage of 503s,
 * then connection resets, then accepted-then-dropped starts, and later two lone dropped starts.
 */
export function fullScenario({ rows = 500, seed = 7 } = {}) {
  return {
    name: 'full',
    rows,
    seed,
    concurrency: 25,
    runDurationMs: { min: 1000, max: 3000 },
    outputsPerRun: 3,
    events: [
      { at: 0.08, kind: 'kill-worker' },
      {
        at: 0.2,
        kind: 'outage',
        windows: [
          { kind: '503', rate: 1, ms: 15_000, retryAfterSeconds: 2 },
          { kind: 'reset', rate: 1, ms: 8_000 },
          { kind: 'drop-after-accept', rate: 0.25, count: 8, ms: 10_000, maxMs: 60_000 },
        ],
      },
      { at: 0.4, kind: 'kill-worker' },
      { at: 0.55, kind: 'restart-server', downMs: 5_000 },
      loneDrop(0.65),
      { at: 0.75, kind: 'kill-worker' },
      loneDrop(0.85),
    ],
    timeoutMs: 20 * 60_000,
  };
}

/** The smaller run of test/integration/chaos.test.ts: same harness, fewer rows, shorter windows. */
export function smallScenario({ rows = 120, seed = 3 } = {}) {
  return {
    name: 'small',
    rows,
    seed,
    concurrency: 12,
    runDurationMs: { min: 800, max: 1600 },
    outputsPerRun: 2,
    events: [
      { at: 0.1, kind: 'kill-worker' },
      {
        at: 0.25,
        kind: 'outage',
        windows: [
          { kind: '503', rate: 1, ms: 4_000, retryAfterSeconds: 1 },
          { kind: 'reset', rate: 1, ms: 3_000 },
          { kind: 'drop-after-accept', rate: 0.5, count: 3, ms: 4_000, maxMs: 30_000 },
        ],
      },
      { at: 0.45, kind: 'restart-server', downMs: 3_000 },
      loneDrop(0.55),
      { at: 0.65, kind: 'kill-worker' },
    ],
    timeoutMs: 8 * 60_000,
  };
}

/** The manifest inputs of row `i` (1-based): distinct per row, so each row has its own simulator fingerprint. */
export function rowInputs(i) {
  return { Prompt: `chaos product ${i}, studio light`, Style: i % 3 === 0 ? 'Watercolor' : 'Photoreal' };
}

/** The key column value of row `i`. */
export function rowKey(i) {
  return `SKU-${i}`;
}
