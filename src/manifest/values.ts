import { z } from 'zod';
import { isRefusedPrivateUrl, type PrivateHosts } from '../providers/asset-address.js';
import type { AppParameter } from '../providers/types.js';
import { listNames, showValue, type ManifestIssueCode } from './issues.js';

/** The outcome of checking one cell against its app parameter. */
export type ValueCheck = { ok: true; value: unknown } | { ok: false; code: ManifestIssueCode; message: string };

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const TEXT = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);
// z.number() refuses Infinity, which is what a numeral too large for a double reads as (JSON would send it as null).
const NUMBER = z.union([z.number(), z.string().trim().regex(NUMERIC).transform(Number).pipe(z.number())]);
const URL_VALUE = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/ }));
const ANY = z.unknown();

const schemas = new WeakMap<AppParameter, z.ZodType>();

/**
 * Largest cell accepted, in UTF-8 bytes (256 KiB). Rows are kept in storage and never travel through Temporal, but
 * a cell this large is a mistake (a file pasted into a cell, a broken export) that a provider would refuse too.
 */
export const MAX_CELL_BYTES = 256 * 1024;

/** True for values that count as "not given": missing, null, or the empty string. */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Null when the value fits in a cell, else a message naming its size and the limit. */
export function checkSize(value: unknown): string | null {
  if (typeof value !== 'string' || value.length * 3 <= MAX_CELL_BYTES) return null;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes <= MAX_CELL_BYTES) return null;
  return (
    `the value is ${bytes.toLocaleString('en-US')} bytes long; a cell may hold at most ` +
    `${MAX_CELL_BYTES.toLocaleString('en-US')} bytes (256 KiB) — shorten it, or put the content in a file and give its URL`
  );
}

/** A parameter's default, when it has a usable one (providers send null or '' for "none"). */
export function hasDefault(param: AppParameter): boolean {
  return !isAbsent(param.default);
}

/**
 * Checks one present cell value against its parameter with zod and returns the value to send: text stays text
 * (numbers and booleans become strings), numeric strings become numbers for `number` parameters, URLs are trimmed,
 * options must be one of the listed values exactly, URLs must not point at loopback or private addresses other
 * than `privateHosts` (the provider could not fetch them). Types the checks do not know pass through unchanged.
 */
export function checkValue(param: AppParameter, value: unknown, privateHosts: PrivateHosts = []): ValueCheck {
  const result = schemaFor(param).safeParse(value);
  if (!result.success) return { ok: false, ...failure(param, value) };
  if (param.type === 'url' && isRefusedPrivateUrl(new URL(String(result.data)), privateHosts)) {
    const message =
      `${showValue(value)} points at a loopback or private address that the provider cannot reach; ` +
      `input '${param.label}' takes a public link (DURABATCH_ALLOW_PRIVATE_URLS=1 allows private ones)`;
    return { ok: false, code: 'VALUE_PRIVATE_URL', message };
  }
  return { ok: true, value: result.data };
}

function schemaFor(param: AppParameter): z.ZodType {
  let schema = schemas.get(param);
  if (schema === undefined) {
    schema = buildSchema(param);
    schemas.set(param, schema);
  }
  return schema;
}

function buildSchema(param: AppParameter): z.ZodType {
  switch (param.type) {
    case 'text':
      return TEXT;
    case 'number':
      return NUMBER;
    case 'url':
      return URL_VALUE;
    case 'options':
    case 'select': {
      if (param.options === null) return ANY;
      const allowed = new Set(param.options);
      return z
        .union([z.string(), z.number(), z.boolean()])
        .transform(String)
        .refine((v) => allowed.has(v));
    }
    default:
      return ANY;
  }
}

/** A number, or numeral, beyond what a double holds. */
function tooLarge(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  return typeof value === 'string' && NUMERIC.test(value.trim()) && !Number.isFinite(Number(value.trim()));
}

function failure(param: AppParameter, value: unknown): { code: ManifestIssueCode; message: string } {
  const input = `input '${param.label}'`;
  switch (param.type) {
    case 'number':
      if (tooLarge(value)) {
        const shown = typeof value === 'number' ? `'${value}'` : showValue(value);
        return {
          code: 'VALUE_NOT_NUMBER',
          message: `${shown} is too large a number to send (it reads as Infinity); ${input} takes a finite number`,
        };
      }
      return { code: 'VALUE_NOT_NUMBER', message: `${showValue(value)} is not a number; ${input} takes a number` };
    case 'url':
      return {
        code: 'VALUE_NOT_URL',
        message: `${showValue(value)} is not an http(s) URL; ${input} takes a public link starting with https://`,
      };
    case 'options':
    case 'select':
      return { code: 'VALUE_NOT_ALLOWED', message: notAllowed(param, value) };
    default:
      return { code: 'VALUE_INVALID', message: `${showValue(value)} is not text; ${input} takes a string` };
  }
}

function notAllowed(param: AppParameter, value: unknown): string {
  const options = param.options ?? [];
  const lower = String(value).toLowerCase();
  const close = options.filter((o) => o.toLowerCase() === lower.trim());
  const hint = close.length === 1 ? ` (did you mean '${close[0]}'?)` : '';
  const quoted = options.map((o) => `'${o}'`);
  return `${showValue(value)} is not allowed for input '${param.label}'; use one of ${listNames(quoted)}${hint}`;
}
