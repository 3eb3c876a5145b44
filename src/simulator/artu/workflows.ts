import type { ArtuWorkflowDefinition } from '../types.js';

/** The workflow every simulator serves unless options.artu.workflows replaces the list. */
export const DEMO_ARTU_WORKFLOW_ID = '4b7e2c90-5d1a-4f3e-8c6b-2a9d0e1f3b57';

/** "Product image": a required prompt and an optional style; one image and one caption out. */
export const DEMO_ARTU_WORKFLOW: ArtuWorkflowDefinition = {
  id: DEMO_ARTU_WORKFLOW_ID,
  name: 'Product image',
  inputs: [
    { key: 'prompt', required: true },
    { key: 'style', required: false },
  ],
};

/** One rejected or ignored input of a trigger. */
export interface ArtuInputProblem {
  field: string;
  message: string;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Required inputs that are missing or empty: a trigger with any of them is rejected. */
export function missingInputs(workflow: ArtuWorkflowDefinition, inputs: Record<string, unknown>): ArtuInputProblem[] {
  return workflow.inputs
    .filter((input) => input.required && isMissing(inputs[input.key]))
    .map((input) => ({ field: input.key, message: `${input.key} is required` }));
}

/** Inputs the workflow does not declare: accepted, and reported in the execution's `warnings`. */
export function unknownInputs(workflow: ArtuWorkflowDefinition, inputs: Record<string, unknown>): ArtuInputProblem[] {
  const known = new Set(workflow.inputs.map((input) => input.key));
  return Object.keys(inputs)
    .filter((key) => !known.has(key))
    .map((key) => ({ field: key, message: `Input "${key}" is not used by this workflow` }));
}
