import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { secretValues } from '../config.js';
import { runFinishedSignal } from '../shared/messages.js';
import { createLaminaKeySource } from '../webhooks/lamina.js';
import { startWebhookReceiver } from '../webhooks/receiver.js';

export interface ReceiverForTemporal {
  /** Where the receiver listens, e.g. http://127.0.0.1:8788. */
  url: string;
  close(): Promise<void>;
  stats(): Record<string, number>;
}

/**
 * durabatch's webhook receiver wired to Temporal: a verified webhook becomes a `runFinished` signal to the row's
 * item workflow (a closed workflow means the row already finished: nothing to do). Lamina webhooks are verified
 * with the signing key read with LAMINA_API_KEY; Magnific ones with MAGNIFIC_WEBHOOK_SECRET when it is set.
 */
export async function startReceiverForTemporal(opts: {
  client: Client;
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<ReceiverForTemporal> {
  const { env } = opts;
  const laminaKey = env.LAMINA_API_KEY?.trim();
  const magnificSecret = env.MAGNIFIC_WEBHOOK_SECRET?.trim();
  const secrets = secretValues(env);
  const scrub = (line: string) => secrets.reduce((text, s) => text.split(s).join('[redacted]'), line);
  const receiver = await startWebhookReceiver({
    host: opts.host,
    port: opts.port,
    ...(laminaKey
      ? {
          laminaKeys: createLaminaKeySource({
            baseUrl: env.LAMINA_BASE_URL ?? 'https://app.uselamina.ai',
            apiKey: laminaKey,
          }),
        }
      : {}),
    ...(magnificSecret ? { magnificSecret } : {}),
    log: (line) => opts.log(scrub(line)),
    async deliver(target, event) {
      try {
        await opts.client.workflow
          .getHandle(target.workflowId)
          .signal(runFinishedSignal, { runId: event.runId, token: target.token, status: event.status });
        return 'delivered';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'gone';
        throw err;
      }
    },
  });
  return { url: receiver.url, close: () => receiver.close(), stats: () => receiver.stats() };
}
