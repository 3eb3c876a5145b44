import { describe, expect, it } from 'vitest';
import { isPrivateAddress, mayBePrivate } from './asset-address.js';

describe('isPrivateAddress', () => {
  it('knows loopback, private, shared, link-local and reserved IPv4 ranges', () => {
    const inside = ['127.0.0.1', '127.9.9.9', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1'];
    const more = ['169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1'];
    for (const ip of [...inside, ...more]) expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '1.1.1.1', '100.128.0.1']) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it('knows the IPv6 ones, including IPv4 addresses mapped into IPv6, with or without brackets', () => {
    for (const ip of ['::1', '[::1]', '::', 'fd00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    expect(isPrivateAddress('[::ffff:a9fe:a9fe]')).toBe(true); // 169.254.169.254
    for (const ip of ['2606:4700::1111', '::ffff:8.8.8.8', '2001:4860:4860::8888']) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it('treats host names as unknown (they are checked when resolved)', () => {
    expect(isPrivateAddress('localhost')).toBe(false);
    expect(isPrivateAddress('example.com')).toBe(false);
  });
});

describe('mayBePrivate', () => {
  it('allows only the listed hosts, ignoring letter case and brackets, or every host with any', () => {
    expect(mayBePrivate('127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(mayBePrivate('[::1]', ['::1'])).toBe(true);
    expect(mayBePrivate('Sim.Local', ['sim.local'])).toBe(true);
    expect(mayBePrivate('10.0.0.1', ['127.0.0.1'])).toBe(false);
    expect(mayBePrivate('10.0.0.1', [])).toBe(false);
    expect(mayBePrivate('10.0.0.1', 'any')).toBe(true);
  });
});
