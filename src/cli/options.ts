import { InvalidArgumentError } from 'commander';
import { MANIFEST_FORMATS, type ManifestFormat } from '../shared/batch-spec.js';
import { PROVIDERS, type ProviderName } from '../shared/constants.js';
import { DELIVERY_MODES, type DeliveryMode } from '../shared/delivery.js';
import { parseMaxFailures } from '../shared/plan.js';

/** Option parsers for commander: each throws InvalidArgumentError with what to type instead. */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a whole number of at least 1, got '${value}'`);
  return n;
}

export function provider(value: string): ProviderName {
  if (!(PROVIDERS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${PROVIDERS.join(', ')}, got '${value}'`);
  }
  return value as ProviderName;
}

export function maxFailures(value: string): string {
  if (!parseMaxFailures(value)) throw new InvalidArgumentError(`expected a count (5) or a share (10%), got '${value}'`);
  return value.trim();
}

export function ambiguousPolicy(value: string): 'hold' | 'resubmit' {
  if (value !== 'hold' && value !== 'resubmit')
    throw new InvalidArgumentError(`expected hold or resubmit, got '${value}'`);
  return value;
}

export function manifestFormat(value: string): ManifestFormat {
  if (!(MANIFEST_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected csv, json or jsonl, got '${value}'`);
  }
  return value as ManifestFormat;
}

/** `--map COL=INPUT`, repeatable: accumulates into a record. */
export function mapPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) throw new InvalidArgumentError(`expected COLUMN=INPUT, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Repeatable or comma-separated list. */
export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0),
  ];
}

/**
 * Durations like 90s, 15m, 2h, 1d or 500ms. The unit is required: a bare `90` used to mean 90 ms, which for
 * --item-timeout gives up on every paid run at once. Zero is refused too: no duration option means anything at 0.
 */
export function duration(value: string): number {
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    throw new InvalidArgumentError(`'${value}' has no unit; write it with one, e.g. ${text}s, ${text}m or ${text}h`);
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new InvalidArgumentError(`expected a duration such as 90s, 15m, 2h or 1d, got '${value}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1;
  const ms = Math.round(Number(m[1]) * unit);
  if (ms <= 0) throw new InvalidArgumentError(`expected a duration longer than 0, got '${value}'`);
  return ms;
}

export function delivery(value: string): DeliveryMode {
  if (!(DELIVERY_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${DELIVERY_MODES.join(', ')}, got '${value}'`);
  }
  return value as DeliveryMode;
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a port number (0..65535; 0 = any free port), got '${value}'`);
  return n;
}

/** An http(s) URL without query or fragment: where a provider can reach durabatch's webhook receiver. */
export function baseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected an http(s) URL such as https://hooks.example.com, got '${value}'`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError(`expected an http(s) URL without query or fragment, got '${value}'`);
  }
  if (url.username !== '' || url.password !== '') {
    // It would be written into every row's history and sent to the provider.
    throw new InvalidArgumentError('the URL must not carry a user name or password');
  }
  return value.replace(/\/+$/, '');
}
