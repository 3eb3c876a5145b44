import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';
import { temporalAddress } from '../helpers/temporal-env.js';

describe('durabatch setup', () => {
  it('finds the search attributes registered on a server that has them, and says so', async () => {
    const { code, output } = await runCli(['setup'], { ...process.env, TEMPORAL_ADDRESS: temporalAddress() });
    expect(code, output).toBe(0);
    expect(output).toContain('DurabatchBatchId, DurabatchProvider, DurabatchItemStatus already registered');
  });

  it('exits 3 with one sentence when Temporal cannot be reached', async () => {
    const { code, output } = await runCli(['setup'], { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(3);
    expect(output).toContain('cannot reach Temporal at 127.0.0.1:1');
    expect(output).not.toContain('    at ');
  });
});
