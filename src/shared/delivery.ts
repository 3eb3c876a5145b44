import type { ProviderName } from './constants.js';

/**
 * How a row learns that its provider run has finished (issue 4). Sandbox-safe: the item workflow, the CLI and the
 * activities all read it.
 * - `wait`: the provider's long-poll endpoint, one request after another (Lamina, Artu).
 * - `stream`: the provider's event stream, with per-output progress on the activity's heartbeat (Lamina).
 * - `webhook`: the provider POSTs to durabatch's receiver, which signals the row; a timer re-reads the run if no
 *   webhook came, so a lost webhook costs time, never a row (Lamina; Magnific when a webhook URL is configured).
 * - `poll`: a plain status read every few seconds (every provider; Magnific's only way without webhooks).
 */
export const DELIVERY_MODES = ['wait', 'stream', 'webhook', 'poll'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** What each provider offers, default first. */
export const PROVIDER_DELIVERY: Readonly<Record<ProviderName, readonly DeliveryMode[]>> = {
  lamina: ['wait', 'stream', 'webhook', 'poll'],
  artu: ['wait', 'poll'],
  magnific: ['poll', 'webhook'],
};

/** Pause between two status reads when polling, per provider (Magnific's docs: every 3–5 s, never faster). */
export const DEFAULT_POLL_INTERVAL_MS: Readonly<Record<ProviderName, number>> = {
  lamina: 5_000,
  artu: 5_000,
  magnific: 4_000,
};

/** With --delivery webhook: re-read the run when no webhook has come for this long (--webhook-fallback-after). */
export const DEFAULT_WEBHOOK_FALLBACK_MS = 10 * 60_000;

/** Port of the in-process webhook receiver in embedded mode (--webhook-port). */
export const DEFAULT_WEBHOOK_PORT = 8788;

export function defaultDelivery(provider: ProviderName): DeliveryMode {
  const modes = PROVIDER_DELIVERY[provider];
  return modes[0] ?? 'poll';
}

/** The mode a row uses: the batch's choice, or the provider's default (batches started before issue 4 have none). */
export function deliveryOf(settings: { provider: ProviderName; delivery?: DeliveryMode }): DeliveryMode {
  return settings.delivery ?? defaultDelivery(settings.provider);
}

/** How long a webhook row waits before it re-reads its run (--webhook-fallback-after, else the default). */
export function webhookFallbackOf(settings: { webhookFallbackMs?: number }): number {
  return settings.webhookFallbackMs ?? DEFAULT_WEBHOOK_FALLBACK_MS;
}

/** Null when `mode` is one the provider offers, else a message that says which ones it does. */
export function deliveryProblem(provider: ProviderName, mode: string): string | null {
  const modes = PROVIDER_DELIVERY[provider];
  if ((modes as readonly string[]).includes(mode)) return null;
  return `--delivery ${mode} is not available for ${provider}: choose one of ${modes.join(', ')} (default ${defaultDelivery(provider)})`;
}

/**
 * The path of a row's webhook on durabatch's receiver, `/webhooks/<provider>/<workflow id>?token=<token>`: the
 * workflow id says which row to wake, the token (random per row, kept by the row's workflow) that the caller knew
 * the URL. Pure string work, so the workflow can build it.
 */
export function webhookPath(provider: ProviderName, workflowId: string, token: string): string {
  return `/webhooks/${provider}/${encodeURIComponent(workflowId)}?token=${encodeURIComponent(token)}`;
}

export function webhookUrlFor(baseUrl: string, provider: ProviderName, workflowId: string, token: string): string {
  return baseUrl.replace(/\/+$/, '') + webhookPath(provider, workflowId, token);
}
