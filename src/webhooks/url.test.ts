import { describe, expect, it } from 'vitest';
import { webhookUrlFor } from '../shared/delivery.js';
import { parseWebhookPath } from './url.js';

describe('webhook URLs', () => {
  it('puts the encoded workflow id in one path segment and the token in the query, after any base path', () => {
    const url = webhookUrlFor('https://hooks.example.com/durabatch/', 'lamina', 'batch-1/sku 12?x', 'tok/+=&');
    expect(url).toBe(
      'https://hooks.example.com/durabatch/webhooks/lamina/batch-1%2Fsku%2012%3Fx?token=tok%2F%2B%3D%26',
    );
    const parsed = new URL(url);
    expect(parsed.searchParams.get('token')).toBe('tok/+=&');
    expect(parseWebhookPath(parsed.pathname.replace('/durabatch', ''))).toEqual({
      provider: 'lamina',
      workflowId: 'batch-1/sku 12?x',
    });
  });

  it('reads no route from other paths', () => {
    for (const path of ['/webhooks/lamina', '/webhooks/lamina/a/b', '/hooks/lamina/a', '/webhooks/lamina/%E0%A4%A']) {
      expect(parseWebhookPath(path)).toBeNull();
    }
  });
});
