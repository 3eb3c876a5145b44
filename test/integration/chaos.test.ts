import { describe, expect, it } from 'vitest';
import { runChaos } from '../../scripts/chaos/run.mjs';
import { smallScenario } from '../../scripts/chaos/scenario.mjs';
import { temporalCliPath } from '../helpers/temporal-env.js';

describe('a batch under chaos (the smaller version of npm run chaos)', () => {
  it('survives worker SIGKILLs, a dev-server restart and a provider outage, losing no row and paying once per row', async () => {
    const scenario = smallScenario();
    const report = await runChaos(scenario, {
      cliPath: temporalCliPath(),
      log: (line) => console.log(`[chaos] ${line}`),
    });

    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.kills).toBe(2);
    expect(report.serverRestarts).toBe(1);
    expect(report.outageWindows.map((w) => w.kind)).toEqual(['503', 'reset', 'drop-after-accept', 'drop-after-accept']);
    expect(report.resultLines).toBe(scenario.rows);
    expect(report.duplicates).toBe(0);
    expect(report.shaMismatches).toBe(0);
    expect(report.secretLeaks).toBe(0);
    // The outage must have hit real requests, or the run proved nothing about it.
    expect(report.outageWindows.every((w) => w.fired > 0)).toBe(true);
    expect(report.counts['succeeded'] ?? 0).toBeGreaterThan(scenario.rows / 2);
    expect(report.ok).toBe(true);
  }, 600_000);
});
