import { DEFAULT_WEBHOOK_PORT } from '../../shared/delivery.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_LAMINA_APP_ID, startSimulator } from '../../simulator/index.js';
import { runCommand } from './run.js';

/** The key the demo's simulator accepts; a placeholder, not a real credential. */
const DEMO_KEY = 'lma_demo_simulator_key';

function sampleManifest(): string {
  const path = fileURLToPath(new URL('../../../examples/products.csv', import.meta.url));
  if (!existsSync(path)) throw new Error(`sample manifest missing at ${path}`);
  return path;
}

/**
 * `durabatch demo`: the whole product on one machine. Starts the provider simulator (a few 429s and 503s
 * injected, one row marked to fail), then runs the sample manifest through the embedded Temporal dev server and an
 * in-process worker with a live progress bar, and writes results and images to ./demo-results.
 */
export async function demoCommand(
  opts: { out: string; concurrency: number },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const sim = await startSimulator({
    port: 0,
    seed: 42,
    runDurationMs: { min: 1500, max: 4000 },
    faults: [
      { kind: '429', rate: 0.05, retryAfterSeconds: 1, endpoints: ['lamina.start'] },
      { kind: '503', rate: 0.03, retryAfterSeconds: 1, endpoints: ['lamina.wait'] },
    ],
    lamina: { apiKey: DEMO_KEY },
  });
  process.stderr.write(`Provider simulator on ${sim.url} (Lamina API, app ${DEMO_LAMINA_APP_ID})\n`);
  try {
    return await runCommand(
      sampleManifest(),
      {
        provider: 'lamina',
        app: DEMO_LAMINA_APP_ID,
        concurrency: opts.concurrency,
        batchId: `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`,
        keyColumn: 'sku',
        omit: [],
        map: {},
        out: opts.out,
        maxFailures: '10%',
        onAmbiguousSubmit: 'hold',
        dataDir: '.durabatch/demo',
        waitSeconds: 60,
        webhookPort: DEFAULT_WEBHOOK_PORT,
        itemTimeout: 3_600_000,
      },
      { ...env, LAMINA_BASE_URL: sim.url, LAMINA_API_KEY: DEMO_KEY },
    );
  } finally {
    await sim.close();
  }
}
