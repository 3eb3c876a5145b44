import { describe, expect, it } from 'vitest';
import { PROVIDERS } from './constants.js';
import { defaultDelivery, deliveryOf, deliveryProblem, webhookPath, webhookUrlFor } from './delivery.js';

describe('delivery modes', () => {
  it('defaults to the long-poll where there is one and to polling for Magnific', () => {
    expect(defaultDelivery('lamina')).toBe('wait');
    expect(defaultDelivery('artu')).toBe('wait');
    expect(defaultDelivery('magnific')).toBe('poll');
    expect(deliveryOf({ provider: 'magnific' })).toBe('poll');
    expect(deliveryOf({ provider: 'lamina', delivery: 'stream' })).toBe('stream');
  });

  it('accepts every mode a provider offers and names the choices when it does not offer one', () => {
    for (const mode of ['wait', 'stream', 'webhook', 'poll']) expect(deliveryProblem('lamina', mode)).toBeNull();
    expect(deliveryProblem('artu', 'stream')).toBe(
      '--delivery stream is not available for artu: choose one of wait, poll (default wait)',
    );
    expect(deliveryProblem('magnific', 'wait')).toMatch(/choose one of poll, webhook \(default poll\)/);
    for (const provider of PROVIDERS) expect(deliveryProblem(provider, 'poll')).toBeNull();
  });

  it('puts the workflow id and token into the webhook URL so that they survive the round trip', () => {
    const path = webhookPath('lamina', 'batch-1/SKU 7/ä', 'tok&en');
    expect(path).toBe('/webhooks/lamina/batch-1%2FSKU%207%2F%C3%A4?token=tok%26en');
    const url = new URL(webhookUrlFor('https://hooks.example.com/base/', 'lamina', 'batch-1/SKU 7/ä', 'tok&en'));
    expect(url.pathname).toBe('/base/webhooks/lamina/batch-1%2FSKU%207%2F%C3%A4');
    expect(decodeURIComponent(url.pathname.split('/').pop() ?? '')).toBe('batch-1/SKU 7/ä');
    expect(url.searchParams.get('token')).toBe('tok&en');
  });
});
