/**
 * The provider simulator: a local HTTP server that speaks the providers' APIs (Lamina now; Artu and Magnific
 * later) with configurable durations, failures, faults and counters, so that tests exercise the real contract.
 */
export { startSimulator } from './server.js';
export { inputFingerprint, canonicalJson } from './fingerprint.js';
export { DEMO_LAMINA_APP_ID, DEMO_LAMINA_APP } from './lamina/apps.js';
export { FAIL_MARKER, SIMULATED_FAILURE_MESSAGE } from './lamina/run-plan.js';
export { configPatchSchema, parseConfigPatch } from './config.js';
export { encodeSolidPng, outputPng } from './png.js';
export type {
  EndpointName,
  FaultKind,
  FaultRule,
  LaminaAppDefinition,
  LaminaParameterDefinition,
  SimulatorConfigPatch,
  SimulatorCounters,
  SimulatorHandle,
  SimulatorOptions,
} from './types.js';
