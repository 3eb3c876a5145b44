import { AssetSigner, assetRoute } from './assets.js';
import { applyPatch, defaultSettings, parseConfigPatch } from './config.js';
import type { SimulatorSettings } from './config.js';
import type { ControlTarget } from './control.js';
import { CounterStore } from './counters.js';
import { FaultInjector } from './faults.js';
import type { Route } from './http.js';
import { laminaRoutes } from './lamina/routes.js';
import { LaminaRunStore } from './lamina/runs.js';
import { createWebhookKeys } from './lamina/webhooks.js';
import { mulberry32 } from './prng.js';
import type { Random } from './prng.js';
import { Scheduler } from './scheduler.js';
import type { SimulatorCounters } from './types.js';

/**
 * Everything the simulator knows apart from HTTP: settings, PRNG, counters, timers, faults, runs and routes of
 * every provider. One instance per server; the server only routes requests into it.
 */
export class SimulatorCore implements ControlTarget {
  private current: SimulatorSettings = defaultSettings();
  private rng: Random = mulberry32(Date.now());
  /** Draws from the current PRNG (configure({seed}) replaces it). */
  readonly random: Random = () => this.rng();
  readonly counterStore = new CounterStore();
  readonly scheduler = new Scheduler();
  readonly faults = new FaultInjector(this.random);
  readonly signer: AssetSigner;
  readonly routes: Route[];

  constructor(baseUrl: () => string, options: unknown) {
    this.signer = new AssetSigner(baseUrl);
    const store = new LaminaRunStore(this.scheduler, this.counterStore);
    const deps = {
      settings: () => this.current,
      store,
      random: this.random,
      signer: this.signer,
      webhookKeys: createWebhookKeys(),
    };
    this.routes = [...laminaRoutes(deps), assetRoute(this.signer)];
    this.configure(options);
  }

  /** The settings in force. */
  get settings(): SimulatorSettings {
    return this.current;
  }

  /** Validates (throws ZodError) and applies a patch; a new seed restarts the PRNG, new faults reset their counts. */
  configure(patch: unknown): void {
    const parsed = parseConfigPatch(patch);
    this.current = applyPatch(this.current, parsed);
    if (parsed.seed !== undefined) this.rng = mulberry32(parsed.seed);
    if (parsed.faults !== undefined) this.faults.setRules(parsed.faults);
  }

  /** A copy of the counters. */
  counters(): SimulatorCounters {
    return this.counterStore.snapshot();
  }

  /** Zeroes the counters (the active-runs gauge keeps its value). */
  resetCounters(): void {
    this.counterStore.reset();
  }
}
