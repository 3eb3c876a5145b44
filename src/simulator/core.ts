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
import type { LaminaDeps } from './lamina/context.js';
import { statusView } from './lamina/context.js';
import { laminaRoutes } from './lamina/routes.js';
import { LaminaRunStore } from './lamina/runs.js';
import { createWebhookKeys, laminaWebhook } from './lamina/webhooks.js';
import { LiveRuns } from './live-runs.js';
import { magnificControl, magnificRoutes } from './magnific/routes.js';
import type { MagnificDeps } from './magnific/routes.js';
import { MagnificRunStore } from './magnific/runs.js';
import { magnificWebhook } from './magnific/webhooks.js';
import { mulberry32 } from './prng.js';
import type { Random } from './prng.js';
import { Scheduler } from './scheduler.js';
import type { SimulatorCounters } from './types.js';
import { WebhookSender } from './webhook-sender.js';
import type { WebhookDelivery } from './webhook-sender.js';

/**
 * Everything the simulator knows apart from HTTP: settings, PRNG, counters, timers, faults, runs, webhooks and
 * routes of every provider (Lamina, Artu, Magnific, sharing one scheduler, counter store, fault injector, asset
 * signer and webhook sender). One instance per server; the server only routes requests into it.
 */
export class SimulatorCore implements ControlTarget {
  private current: SimulatorSettings = defaultSettings();
  private rng: Random = mulberry32(Date.now());
  /** Draws from the current PRNG (configure({seed}) replaces it). */
  readonly random: Random = () => this.rng();
  readonly counterStore = new CounterStore();
  readonly scheduler = new Scheduler();
  readonly faults = new FaultInjector(this.random);
  readonly webhooks = new WebhookSender(this.scheduler, this.counterStore, this.random, () => this.current);
  readonly signer: AssetSigner;
  readonly routes: Route[];
  private readonly artu: ArtuDeps;
  private readonly magnific: MagnificDeps;

  constructor(baseUrl: () => string, options: unknown) {
    this.signer = new AssetSigner(baseUrl);
    const shared = { settings: () => this.current, random: this.random, signer: this.signer };
    const webhookKeys = createWebhookKeys();
    const lamina: LaminaDeps = {
      ...shared,
      store: new LaminaRunStore(this.scheduler, this.counterStore, (run) =>
        this.deliver(laminaWebhook(run, statusView(lamina), webhookKeys)),
      ),
      webhookKeys,
      scheduler: this.scheduler,
      counters: this.counterStore,
    };
    const live = new LiveRuns(this.scheduler, this.counterStore);
    this.artu = { ...shared, store: new ArtuExecutionStore(live) };
    const magnificView = () => ({ signer: this.signer, assetTtlMs: this.current.magnific.assetTtlMs });
    const magnificStore = new MagnificRunStore(live, (run, moment) =>
      this.deliver(magnificWebhook(run, moment, magnificView(), this.current.magnific.webhookSecret)),
    );
    this.magnific = { ...shared, store: magnificStore };
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

  /** Stops every timer (runs, waits, streams, webhook retries) and aborts webhook attempts in flight. */
  close(): void {
    this.scheduler.close();
    this.webhooks.close();
  }

  private deliver(delivery: WebhookDelivery | null): void {
    if (delivery) this.webhooks.deliver(delivery);
  }
}
