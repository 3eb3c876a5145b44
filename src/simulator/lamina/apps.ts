import type { LaminaAppDefinition, LaminaParameterDefinition } from '../types.js';

/** The app every simulator serves unless options.lamina.apps replaces the list. */
export const DEMO_LAMINA_APP_ID = '9d5c6a1e-2b7f-4c3e-9a1d-6f0e8b4c2a10';

/** "Product shot": a prompt, a style, an aspect ratio and an optional reference image; one image out. */
export const DEMO_LAMINA_APP: LaminaAppDefinition = {
  appId: DEMO_LAMINA_APP_ID,
  name: 'Product shot',
  parameters: [
    { id: 'textInputNode-1', key: 'prompt', name: 'Prompt', type: 'text', required: true },
    {
      id: 'optionsInputNode-2',
      key: 'style',
      name: 'Style',
      type: 'options',
      required: false,
      options: ['Photoreal', 'Watercolor', 'Line art'],
      default: 'Photoreal',
    },
    {
      id: 'optionsInputNode-3',
      key: 'aspect_ratio',
      name: 'Aspect Ratio',
      type: 'options',
      required: false,
      options: ['1:1', '4:3', '16:9'],
      default: '1:1',
    },
    { id: 'urlInputNode-4', key: 'reference', name: 'Reference', type: 'url', required: false },
  ],
  outputs: [{ label: 'Image', type: 'image' }],
};

/** One rejected input, as listed in a VALIDATION_ERROR's `details`. */
export interface InputProblem {
  field: string;
  code: 'UNKNOWN_PARAMETER' | 'REQUIRED' | 'INVALID_OPTION' | 'INVALID_URL' | 'INVALID_TYPE';
  message: string;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** The app as GET /v1/apps/{appId} shows it (`key` filled in from the name when the definition has none). */
export function serializeApp(app: LaminaAppDefinition): Record<string, unknown> {
  return {
    appId: app.appId,
    name: app.name,
    parameters: app.parameters.map((p) => ({ ...p, key: p.key ?? slug(p.name) })),
    outputs: app.outputs.map((o) => ({ label: o.label, type: o.type })),
  };
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function checkValue(param: LaminaParameterDefinition, value: unknown): InputProblem | null {
  const field = param.name;
  if (param.type === 'text') {
    const ok = ['string', 'number', 'boolean'].includes(typeof value);
    return ok ? null : { field, code: 'INVALID_TYPE', message: `${field} must be text` };
  }
  if (param.type === 'options') {
    const options = param.options ?? [];
    if (typeof value === 'string' && options.includes(value)) return null;
    return { field, code: 'INVALID_OPTION', message: `${field} must be one of: ${options.join(', ')}` };
  }
  if (typeof value === 'string' && isHttpUrl(value)) return null;
  return { field, code: 'INVALID_URL', message: `${field} must be an http(s) URL` };
}

/** Checks inputs the way Lamina does: names exact, required present, options from the list, URLs http(s). */
export function validateInputs(app: LaminaAppDefinition, inputs: Record<string, unknown>): InputProblem[] {
  const problems: InputProblem[] = [];
  const known = new Set(app.parameters.map((p) => p.name));
  for (const name of Object.keys(inputs)) {
    if (!known.has(name)) {
      const list = [...known].join(', ');
      problems.push({
        field: name,
        code: 'UNKNOWN_PARAMETER',
        message: `Unknown parameter "${name}" (known: ${list})`,
      });
    }
  }
  for (const param of app.parameters) {
    const value = inputs[param.name];
    if (isMissing(value)) {
      if (param.required && param.default === undefined) {
        problems.push({ field: param.name, code: 'REQUIRED', message: `${param.name} is required` });
      }
      continue;
    }
    const problem = checkValue(param, value);
    if (problem) problems.push(problem);
  }
  return problems;
}
