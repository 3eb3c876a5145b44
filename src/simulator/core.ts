import { artuControl, artuRoutes } from './artu/routes.js';
import type { ArtuDeps } from './artu/context.js';
import { ArtuExecutionStore } from './artu/executions.js';
import { AssetSigner, assetRoute } from './assets.js';
import { applyPatch, defaultSettings, parseConfigPatch } from './config.js';
import type { SimulatorSettings } from './config.js';
import type { ControlTarget } from './control.js';
import { CounterStore } from './counters.js';
import { FaultInjector } from './faults.js';
import type { Route, SimResponse } from './http.js';
import { laminaRoutes } from './lamina/routes.js';
import { LaminaRunStore } from './lamina/runs.js';
import { createWebhookKeys } from './lamina/webhooks.js';
import { LiveRuns } from './live-runs.js';
import { magnificControl, magnificRoutes } from './magnific/routes.js';
import type { MagnificDeps } from './magnific/routes.js';
import { MagnificRunStore } from './magnific/runs.js';
import { mulberry32 } from './prng.js';
import type { Random } from './prng.js';
import { Scheduler } from './scheduler.js';
import type { SimulatorCounters } from './types.js';

/**
 * Everything the simulator knows apart from HTTP: settings, PRNG, counters, timers, faults, runs and routes of
 * every provider (Lamina, Artu, Magnific, sharing one scheduler, counter store, fault injector and asset signer).
 * One instance per server; the server only routes requests into it.
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
  private readonly artu: ArtuDeps;
  private readonly magnific: MagnificDeps;

  constructor(baseUrl: () => string, options: unknown) {
    this.signer = new AssetSigner(baseUrl);
    const shared = { settings: () => this.current, random: this.random, signer: this.signer };
    const lamina = {
      ...shared,
      store: new LaminaRunStore(this.scheduler, this.counterStore),
      webhookKeys: createWebhookKeys(),
    };
    const live = new LiveRuns(this.scheduler, this.counterStore);
    this.artu = { ...shared, store: new ArtuExecutionStore(live) };
    this.magnific = { ...shared, store: new MagnificRunStore(live) };
    this.routes = [
      ...laminaRoutes(lamina),
      ...artuRoutes(this.artu),
      ...magnificRoutes(this.magnific),
      assetRoute(this.signer),
    ];
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

  /** The providers' control endpoints under /_sim/artu/ and /_sim/magnific/. */
  providerControl(method: string, path: string): SimResponse | null {
    return artuControl(this.artu, method, path) ?? magnificControl(this.magnific, method, path);
  }

  /** Zeroes the counters (the active-runs gauge keeps its value). */
  resetCounters(): void {
    this.counterStore.reset();
  }
}
