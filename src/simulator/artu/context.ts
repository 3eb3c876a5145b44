import type { AssetSigner } from '../assets.js';
import type { SimulatorSettings } from '../config.js';
import type { Route, RequestContext, SimResponse } from '../http.js';
import type { Random } from '../prng.js';
import type { ArtuWorkflowDefinition, EndpointName } from '../types.js';
import { artuErrorBody, checkArtuAuth } from './errors.js';
import type { ArtuEnvironment } from './errors.js';
import type { ArtuExecutionStore } from './executions.js';
import type { ArtuView } from './serialize.js';

/** What the Artu routes share: settings, the execution store, the PRNG and the asset signer. */
export interface ArtuDeps {
  settings(): SimulatorSettings;
  store: ArtuExecutionStore;
  random: Random;
  signer: AssetSigner;
}

/** The workflow with this id among the configured workflows. */
export function findWorkflow(deps: ArtuDeps, workflowId: string): ArtuWorkflowDefinition | undefined {
  return deps.settings().artu.workflows.find((workflow) => workflow.id === workflowId);
}

/** How executions sign their file URLs right now (the shared assetTtlMs). */
export function artuView(deps: ArtuDeps): ArtuView {
  return { signer: deps.signer, assetTtlMs: deps.settings().assetTtlMs };
}

/** An Artu route: key and environment are checked before the handler runs, which gets the environment. */
export function artuRoute(
  deps: ArtuDeps,
  method: Route['method'],
  pattern: RegExp,
  endpoint: EndpointName,
  handle: (ctx: RequestContext, environment: ArtuEnvironment) => Promise<SimResponse> | SimResponse,
): Route {
  return {
    method,
    pattern,
    endpoint,
    errorBody: artuErrorBody,
    handle(ctx) {
      const checked = checkArtuAuth(ctx.headers, deps.settings().artu.apiKey);
      return typeof checked === 'string' ? handle(ctx, checked) : checked;
    },
  };
}
