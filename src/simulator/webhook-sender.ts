import { Agent, request } from 'undici';
import type { SimulatorSettings } from './config.js';
import type { CounterStore } from './counters.js';
import { chance } from './prng.js';
import type { Random } from './prng.js';
import type { Scheduler } from './scheduler.js';

/** How a provider signs a webhook: a signature over the UTF-8 bytes of `<timestamp>.<raw body>`. */
export interface WebhookSigning {
  timestampHeader: string;
  signatureHeader: string;
  /** The signature of `message`, hex. */
  sign(message: Buffer): string;
}

/** One webhook to deliver: the same raw body on every attempt, re-signed each time when `signing` is set. */
export interface WebhookDelivery {
  provider: 'lamina' | 'magnific';
  url: string;
  body: string;
  /** Sent with every attempt, besides content-type and the signature headers. */
  headers: Record<string, string>;
  signing: WebhookSigning | null;
}

/** How the first attempt of a delivery is spoiled by the stale and bad-signature faults. */
interface Spoil {
  stale: boolean;
  badSignature: boolean;
}

interface Policy {
  retryDelaysMs: readonly number[];
  timeoutMs: number;
}

const CLEAN: Spoil = { stale: false, badSignature: false };
/** A stale attempt's timestamp is this far in the past (a receiver allows 300 s). */
const STALE_SECONDS = 600;
/** The copy of a duplicated delivery follows the original this much later. */
const DUPLICATE_GAP_MS = 200;

/** Flips the first hex digit: still well-formed hex of the right length, but not the signature. */
function corrupt(hex: string): string {
  const first = parseInt(hex.slice(0, 1), 16);
  return Number.isNaN(first) ? `0${hex.slice(1)}` : `${(first ^ 0xf).toString(16)}${hex.slice(1)}`;
}

function signatureHeaders(delivery: WebhookDelivery, spoil: Spoil): Record<string, string> {
  const { signing } = delivery;
  if (signing === null) return {};
  const timestamp = Math.floor(Date.now() / 1000) - (spoil.stale ? STALE_SECONDS : 0);
  const signature = signing.sign(Buffer.from(`${timestamp}.${delivery.body}`, 'utf8'));
  return {
    [signing.timestampHeader]: String(timestamp),
    [signing.signatureHeader]: spoil.badSignature ? corrupt(signature) : signature,
  };
}

function drawMs(value: number | { min: number; max: number }, random: Random): number {
  if (typeof value === 'number') return value;
  return value.max > value.min ? Math.round(value.min + random() * (value.max - value.min)) : value.min;
}

/**
 * Delivers provider webhooks at least once: POST with a short timeout, a retry after each non-2xx answer or
 * network error (settings.webhooks.retryDelaysMs), re-signed on every attempt. The lost, duplicate, delay, stale
 * and bad-signature faults are drawn per delivery from the seeded PRNG. Timers live on the shared scheduler, and
 * close() aborts attempts in flight, so a closed simulator sends nothing more.
 */
export class WebhookSender {
  private readonly agent = new Agent({ keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });
  private readonly closing = new AbortController();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly counters: CounterStore,
    private readonly random: Random,
    private readonly settings: () => SimulatorSettings,
  ) {}

  /** Sends `delivery` under the webhook settings in force now. */
  deliver(delivery: WebhookDelivery): void {
    const config = this.settings().webhooks;
    const count = (outcome: string): void => this.counters.webhook(delivery.provider, outcome);
    if (chance(this.random, config.lostRate)) return count('lost');
    const duplicate = chance(this.random, config.duplicateRate);
    const signed = delivery.signing !== null;
    const spoil: Spoil = {
      stale: signed && chance(this.random, config.staleRate),
      badSignature: signed && chance(this.random, config.badSignatureRate),
    };
    if (spoil.stale) count('stale');
    if (spoil.badSignature) count('bad signature');
    const delay = drawMs(config.delayMs, this.random);
    const policy: Policy = { retryDelaysMs: [...config.retryDelaysMs], timeoutMs: config.timeoutMs };
    this.scheduler.schedule(delay, () => void this.attempt(delivery, 0, spoil, policy));
    if (!duplicate) return;
    count('duplicate');
    this.scheduler.schedule(delay + DUPLICATE_GAP_MS, () => void this.attempt(delivery, 0, CLEAN, policy));
  }

  /** Aborts attempts in flight and drops idle connections; pending timers are the scheduler's to clear. */
  close(): void {
    this.closing.abort();
    this.agent.destroy().catch(() => undefined);
  }

  private async attempt(delivery: WebhookDelivery, index: number, spoil: Spoil, policy: Policy): Promise<void> {
    const outcome = await this.post(delivery, spoil, policy.timeoutMs);
    if (this.closing.signal.aborted) return;
    this.counters.webhook(delivery.provider, outcome);
    if (outcome === 'sent') return;
    const wait = policy.retryDelaysMs[index];
    if (wait === undefined) return this.counters.webhook(delivery.provider, 'gave up');
    this.scheduler.schedule(wait, () => void this.attempt(delivery, index + 1, CLEAN, policy));
  }

  /** One attempt: `sent` for a 2xx answer, `status <code>` for any other, `network error` when none came. */
  private async post(delivery: WebhookDelivery, spoil: Spoil, timeoutMs: number): Promise<string> {
    const headers = {
      ...delivery.headers,
      ...signatureHeaders(delivery, spoil),
      'content-type': 'application/json',
    };
    try {
      const res = await request(delivery.url, {
        method: 'POST',
        headers,
        body: delivery.body,
        dispatcher: this.agent,
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(timeoutMs)]),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300 ? 'sent' : `status ${res.statusCode}`;
    } catch {
      return 'network error';
    }
  }
}
