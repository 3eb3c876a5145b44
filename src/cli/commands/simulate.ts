import { InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { parseConfigPatch } from '../../simulator/config.js';
import { FAULT_KINDS } from '../../simulator/types.js';
import { startSimulator, type FaultRule, type SimulatorOptions } from '../../simulator/index.js';
import type { SimulateOptions } from '../command-options.js';
import { usageError } from '../errors.js';

/**
 * `durabatch simulate`: the provider simulator as a standalone server, for trying durabatch without an account.
 * Prints the environment a worker needs to talk to it, then serves until interrupted.
 */
export async function simulateCommand(opts: SimulateOptions): Promise<number> {
  const fromFile = opts.config === undefined ? {} : await readConfigFile(opts.config);
  const options: SimulatorOptions = {
    ...fromFile,
    port: opts.port,
    host: opts.host,
    faults: [...(fromFile.faults ?? []), ...opts.fault],
  };
  if (opts.seed !== undefined) options.seed = opts.seed;
  if (opts.runDuration !== undefined) options.runDurationMs = parseRange(opts.runDuration);
  if (opts.failureRate !== undefined) options.failureRate = opts.failureRate;
  if (opts.assetTtl !== undefined) options.assetTtlMs = opts.assetTtl;
  if (opts.maxWait !== undefined) options.maxWaitMs = opts.maxWait;
  if (opts.apiKey !== undefined) options.lamina = { apiKey: opts.apiKey };
  const sim = await startSimulator(options);
  const out = process.stdout;
  out.write(`durabatch simulator listening on ${sim.url}\n`);
  out.write(`  export LAMINA_BASE_URL=${sim.url}\n`);
  out.write(`  export LAMINA_API_KEY=${opts.apiKey ? '<the key you passed>' : 'lma_sim_anykey'}\n`);
  out.write(`  export ARTU_BASE_URL=${sim.url} ARTU_API_KEY=artu_sim_anykey ARTU_ENVIRONMENT=test\n`);
  out.write(`  export MAGNIFIC_BASE_URL=${sim.url} MAGNIFIC_API_KEY=mgn_sim_anykey\n`);
  out.write(`  counters: ${sim.url}/_sim/counters\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

/** `--config FILE`: the JSON shape POST /_sim/config takes (streams, webhooks, faults, apps …), checked. */
async function readConfigFile(path: string): Promise<SimulatorOptions> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw usageError(`--config ${path}: ${(err as Error).message}`);
  }
  try {
    return parseConfigPatch(value);
  } catch (err) {
    const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
    const lines = issues.map((i) => `  ${i.path.map(String).join('.') || '(top)'}: ${i.message}`);
    throw usageError(`--config ${path} has settings the simulator does not accept:\n${lines.join('\n')}`);
  }
}

/** `2000` or `1500-2500` (milliseconds). */
export function parseRange(text: string): number | { min: number; max: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`expected milliseconds (2000) or a range (1500-2500), got '${text}'`);
  const min = Number(m[1]);
  if (m[2] === undefined) return min;
  const max = Number(m[2]);
  if (max < min) throw new InvalidArgumentError(`range '${text}' ends before it starts`);
  return { min, max };
}

/** `--fault KIND:RATE[:ENDPOINT,…]`, repeatable, e.g. `--fault 429:0.05` or `--fault reset:0.02:lamina.start`. */
export function faultRule(text: string, previous: FaultRule[] = []): FaultRule[] {
  const [kind, rate, endpoints] = text.split(':');
  if (!kind || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError(`fault kind must be one of ${FAULT_KINDS.join(', ')}; got '${text}'`);
  }
  const share = Number(rate);
  if (!(share >= 0 && share <= 1)) throw new InvalidArgumentError(`fault rate must be between 0 and 1 in '${text}'`);
  const rule = { kind, rate: share, retryAfterSeconds: 1, delayMs: 3000 } as FaultRule;
  if (endpoints) rule.endpoints = endpoints.split(',') as NonNullable<FaultRule['endpoints']>;
  return [...previous, rule];
}
