import { temporalSettings } from '../../config.js';
import { EXIT, usageError } from '../errors.js';
import { openSession } from '../session.js';
import { startReceiverForTemporal } from '../webhook-receiver.js';

/**
 * `durabatch webhooks`: the webhook receiver for a Temporal cluster. It verifies provider webhooks (Lamina's
 * ED25519 signature with the key read using LAMINA_API_KEY; Magnific's with MAGNIFIC_WEBHOOK_SECRET when set) and
 * signals the row they belong to. Put it behind the address given to `run --webhook-base-url`. Stops on
 * SIGINT/SIGTERM.
 */
export async function webhooksCommand(
  opts: { port: number; host: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (!temporalSettings(env).address) {
    throw usageError(
      'durabatch webhooks needs a Temporal cluster (set TEMPORAL_ADDRESS); in embedded mode `durabatch run --delivery webhook` runs the receiver itself',
    );
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const session = await openSession({ worker: false, log, env });
  try {
    const receiver = await startReceiverForTemporal({
      client: session.client,
      host: opts.host,
      port: opts.port,
      env,
      log,
    });
    log(
      `durabatch webhooks listening on ${receiver.url} (Temporal ${session.settings.address}, namespace ${session.settings.namespace})`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await receiver.close();
    log(`durabatch webhooks stopped: ${JSON.stringify(receiver.stats())}`);
  } finally {
    await session.close();
  }
  return EXIT.ok;
}
