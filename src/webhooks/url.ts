/**
 * The receiver's side of a webhook URL; the item workflow builds the URL itself (src/shared/delivery.ts,
 * webhookUrlFor), as workflow code cannot use the URL class.
 *
 * Shape: `<baseUrl>/webhooks/<provider>/<encodeURIComponent(workflowId)>?token=<token>`. The workflow id is one
 * path segment (its slashes are encoded); the token lets the receiver's `deliver` tell a URL we handed out from a
 * guessed one.
 */

export const WEBHOOK_PROVIDERS = ['lamina', 'magnific'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

/** Where a webhook is delivered: the provider it comes from, the waiting workflow, and that workflow's token. */
export interface WebhookTarget {
  provider: WebhookProvider;
  workflowId: string;
  token: string;
}

const PREFIX = '/webhooks/';

/**
 * Provider and workflow id of a receiver path (`/webhooks/<provider>/<encoded workflow id>`), or null when the path
 * has another shape or does not decode. The provider is returned as written: the caller checks it is one it serves.
 */
export function parseWebhookPath(pathname: string): { provider: string; workflowId: string } | null {
  if (!pathname.startsWith(PREFIX)) return null;
  const parts = pathname.slice(PREFIX.length).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  try {
    return { provider: parts[0], workflowId: decodeURIComponent(parts[1]) };
  } catch {
    return null;
  }
}

/** True for the providers the receiver has a route for. */
export function isWebhookProvider(value: string): value is WebhookProvider {
  return (WEBHOOK_PROVIDERS as readonly string[]).includes(value);
}
