/**
 * The provider simulator: a local HTTP server that speaks the providers' APIs (Lamina, Artu and Magnific) with
 * configurable durations, failures, faults and counters, so that tests exercise the real contract.
 */
export { startSimulator } from './server.js';
export { inputFingerprint, canonicalJson } from './fingerprint.js';
export { DEMO_LAMINA_APP_ID, DEMO_LAMINA_APP } from './lamina/apps.js';
export { DEMO_ARTU_WORKFLOW_ID, DEMO_ARTU_WORKFLOW } from './artu/workflows.js';
export { ARTU_ORGANIZATION_ID } from './artu/serialize.js';
export { DEMO_MAGNIFIC_APP_ID, DEMO_MAGNIFIC_APP } from './magnific/apps.js';
export { MAGNIFIC_ASSET_TTL_MS } from './config.js';
export { FAIL_MARKER, SYNC_MARKER, INPUT_MARKER, PARTIAL_MARKER, SIMULATED_FAILURE_MESSAGE } from './markers.js';
export { configPatchSchema, parseConfigPatch } from './config.js';
export { encodeSolidPng, outputPng } from './png.js';
export type {
  ArtuInputDefinition,
  ArtuWorkflowDefinition,
  EndpointName,
  FaultKind,
  FaultRule,
  LaminaAppDefinition,
  LaminaParameterDefinition,
  MagnificAppDefinition,
  MagnificInputDefinition,
  SimulatorConfigPatch,
  SimulatorCounters,
  SimulatorHandle,
  SimulatorOptions,
} from './types.js';
