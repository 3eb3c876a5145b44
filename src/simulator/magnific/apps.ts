import type { MagnificAppDefinition, MagnificInputDefinition } from '../types.js';

/** The app every simulator serves unless options.magnific.apps replaces the list. */
export const DEMO_MAGNIFIC_APP_ID = 'uqzQLDr2Aw';

const INPUT_UUID = '7f3a9c21-4e8b-4d6a-b5c0-1e2f3a4b5c6d';

/** "Upscale & restyle": a required prompt, a creativity number and a style; two images out. */
export const DEMO_MAGNIFIC_APP: MagnificAppDefinition = {
  sqid: DEMO_MAGNIFIC_APP_ID,
  name: 'Upscale & restyle',
  inputs: [
    { id: `input-${INPUT_UUID}-1`, key: 'prompt', type: 'text', label: 'Prompt', default: null, required: true },
    {
      id: `input-${INPUT_UUID}-2`,
      key: 'creativity',
      type: 'number',
      label: 'Creativity',
      default: 3,
      required: false,
    },
    {
      id: `input-${INPUT_UUID}-3`,
      key: 'style',
      type: 'select',
      label: 'Style',
      default: 'natural',
      required: false,
      options: ['natural', 'vivid', 'film'],
    },
  ],
  totalCost: 12,
  images: 2,
};

/** The app as GET /v1/ai/apps/{appId} shows it (inside `data`). */
export function serializeApp(app: MagnificAppDefinition): Record<string, unknown> {
  return { sqid: app.sqid, name: app.name, inputs: app.inputs, tool_metadata: { total_cost: app.totalCost } };
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function misKeyed(app: MagnificAppDefinition, name: string): MagnificInputDefinition | undefined {
  return app.inputs.find((input) => input.key === name || input.label === name);
}

function checkValue(input: MagnificInputDefinition, value: unknown): string | null {
  const name = `${input.id} (${input.label})`;
  switch (input.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `Input ${name} must be a number`;
    case 'select': {
      const options = input.options ?? [];
      if (typeof value === 'string' && (options.length === 0 || options.includes(value))) return null;
      return `Input ${name} must be one of: ${options.join(', ')}`;
    }
    default:
      return typeof value === 'string' ? null : `Input ${name} must be a string`;
  }
}

/**
 * Checks inputs the way Magnific does: keyed by input id only (a key or label names the id it should have been),
 * required inputs present, numbers numeric, selects from their options. Returns the first problem, or null.
 */
export function inputProblem(app: MagnificAppDefinition, inputs: Record<string, unknown>): string | null {
  const ids = new Set(app.inputs.map((input) => input.id));
  for (const name of Object.keys(inputs)) {
    if (ids.has(name)) continue;
    const meant = misKeyed(app, name);
    if (meant) return `Input "${name}" must be keyed by its id "${meant.id}", not by its key or label`;
    return `Unknown input "${name}"; this app's inputs are ${[...ids].join(', ')}`;
  }
  for (const input of app.inputs) {
    const value = inputs[input.id];
    if (isMissing(value)) {
      if (input.required) return `Missing required input "${input.id}" (${input.label})`;
      continue;
    }
    const problem = checkValue(input, value);
    if (problem) return problem;
  }
  return null;
}
