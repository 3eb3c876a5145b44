import { createHmac } from 'node:crypto';
import type { WebhookDelivery } from '../webhook-sender.js';
import type { MagnificRun } from './runs.js';
import { runJson } from './serialize.js';
import type { MagnificView } from './serialize.js';

/** When a Magnific webhook is sent: as the run is accepted, and as it ends. */
export type MagnificWebhookMoment = 'created' | 'ended';

function eventBody(run: MagnificRun, moment: MagnificWebhookMoment, view: MagnificView): Record<string, unknown> {
  if (moment === 'created') return { event: 'initialized', run_id: run.runId };
  if (run.status === 'completed' || run.status === 'completed_with_errors') {
    return { event: 'finished', run_id: run.runId, status: run.status, result: runJson(run, view)['result'] };
  }
  return { event: 'failed', run_id: run.runId, status: run.status, error_message: run.errorMessage };
}

/**
 * The webhook of a run started with `"webhook": url`: `initialized` when accepted; `finished` (completed or
 * completed_with_errors, with the result) or `failed` (failed or cancelled, with the error message) when it ends.
 * Magnific documents no signature: with `secret` set the simulator adds X-Magnific-Webhook-Timestamp and
 * X-Magnific-Webhook-Signature (hex HMAC-SHA256 of `<timestamp>.<raw body>`), without it none. Null when the run
 * has no webhook.
 */
export function magnificWebhook(
  run: MagnificRun,
  moment: MagnificWebhookMoment,
  view: MagnificView,
  secret: string | undefined,
): WebhookDelivery | null {
  if (run.webhook === null) return null;
  return {
    provider: 'magnific',
    url: run.webhook,
    body: JSON.stringify(eventBody(run, moment, view)),
    headers: {},
    signing:
      secret === undefined
        ? null
        : {
            timestampHeader: 'X-Magnific-Webhook-Timestamp',
            signatureHeader: 'X-Magnific-Webhook-Signature',
            sign: (message) => createHmac('sha256', secret).update(message).digest('hex'),
          },
  };
}
