import type { AssetSigner } from '../assets.js';
import type { SimulatorSettings } from '../config.js';
import type { CounterStore } from '../counters.js';
import type { Route, SimResponse, RequestContext } from '../http.js';
import type { Random } from '../prng.js';
import type { Scheduler } from '../scheduler.js';
import type { EndpointName, LaminaAppDefinition } from '../types.js';
import { checkLaminaAuth } from './errors.js';
import type { LaminaRunStore } from './runs.js';
import type { StatusView } from './status.js';
import type { WebhookKeys } from './webhooks.js';

/**
 * What the Lamina routes share: settings, the run store, the PRNG, the asset signer, the webhook keys, and the
 * scheduler and counters that streams use.
 */
export interface LaminaDeps {
  settings(): SimulatorSettings;
  store: LaminaRunStore;
  random: Random;
  signer: AssetSigner;
  webhookKeys: WebhookKeys;
  scheduler: Scheduler;
  counters: CounterStore;
}

/** The app with this id among the configured apps. */
export function findApp(deps: LaminaDeps, appId: string): LaminaAppDefinition | undefined {
  return deps.settings().lamina.apps.find((app) => app.appId === appId);
}

/** How status responses sign asset URLs right now. */
export function statusView(deps: LaminaDeps): StatusView {
  return { signer: deps.signer, assetTtlMs: deps.settings().assetTtlMs };
}

/** A Lamina /v1 route: the key is checked before the handler runs. */
export function authedRoute(
  deps: LaminaDeps,
  method: Route['method'],
  pattern: RegExp,
  endpoint: EndpointName,
  handle: (ctx: RequestContext) => Promise<SimResponse> | SimResponse,
): Route {
  return {
    method,
    pattern,
    endpoint,
    handle(ctx) {
      return checkLaminaAuth(ctx.headers, deps.settings().lamina.apiKey, ctx.requestId) ?? handle(ctx);
    },
  };
}
