/** A function returning uniformly distributed numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a tiny seeded PRNG. The simulator draws every random choice (durations, failures, faults) from one
 * instance so that a run with the same seed and the same request order behaves the same.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** True with probability `rate`; draws from the PRNG only when the outcome is not certain. */
export function chance(random: Random, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return random() < rate;
}
