import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { secretValues } from '../config.js';
import { redactSecrets } from '../providers/redact.js';
import { webhookArrivedUpdate } from '../shared/messages.js';
import { createLaminaKeySource } from '../webhooks/lamina.js';
import { startWebhookReceiver } from '../webhooks/receiver.js';

/** How long a delivery may wait for the row's worker to take it before the provider is told to retry. */
const DELIVERY_TIMEOUT_MS = 15_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no worker took the delivery within ${ms / 1000} s`)), ms);
  });
  work.catch(() => undefined); // settles later, unobserved, when the timeout won
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface ReceiverForTemporal {
  /** Where the receiver listens, e.g. http://127.0.0.1:8788. */
  url: string;
  close(): Promise<void>;
  stats(): Record<string, number>;
}

/**
 * durabatch's webhook receiver wired to Temporal: a verified webhook becomes a `webhookArrived` Update on the row's
 * item workflow, whose validator checks the row's token (a closed workflow means the row already finished: nothing
 * to do; a refused one leaves no trace in any history). Lamina webhooks are verified
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
  const scrub = (line: string) => redactSecrets(line, secrets);
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
      const update = opts.client.workflow.getHandle(target.workflowId).executeUpdate(webhookArrivedUpdate, {
        args: [{ runId: event.runId, token: target.token, status: event.status }],
      });
      try {
        // No worker to take the Update yet: answer 503 and let the provider deliver again later.
        await withTimeout(update, DELIVERY_TIMEOUT_MS);
        return 'delivered';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'gone';
        // The row refused it (wrong token), or the workflow is no row at all (no such Update).
        if (err instanceof WorkflowUpdateFailedError) return 'refused';
        throw err;
      }
    },
  });
  return { url: receiver.url, close: () => receiver.close(), stats: () => receiver.stats() };
}
