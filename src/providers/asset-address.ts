import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Which addresses an output download may connect to. Provider output URLs come from outside, so a URL that points
 * into this machine or its network (loopback, private ranges, link-local such as cloud metadata at 169.254.169.254)
 * is refused unless its host is one we were told to trust: the hosts of the configured provider base URLs (a
 * simulator on loopback, a provider inside the company network), or any host when DURABATCH_ALLOW_PRIVATE_URLS=1.
 */
export type PrivateHosts = readonly string[] | 'any';

/** Error code of a refused address, carried by the lookup error so that the download can name it. */
export const PRIVATE_ADDRESS_CODE = 'DURABATCH_PRIVATE_ADDRESS';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3], // multicast, reserved and broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 127], // unspecified and loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** True for loopback, private, shared, link-local, multicast and reserved IPv4/IPv6 addresses. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family !== 6) return false;
  const embedded = embeddedIpv4(ip);
  return embedded !== null ? blocked.check(embedded, 'ipv4') : blocked.check(ip, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(ip: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = parseInt(m[2] ?? '0', 16);
  const lo = parseInt(m[3] ?? '0', 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Whether `host` (a URL's hostname) may be, or resolve to, a private address. */
export function mayBePrivate(host: string, privateHosts: PrivateHosts): boolean {
  if (privateHosts === 'any') return true;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return privateHosts.some((allowed) => allowed.replace(/^\[|\]$/g, '').toLowerCase() === h);
}

const BASE_URL_VARIABLES = ['LAMINA_BASE_URL', 'ARTU_BASE_URL', 'MAGNIFIC_BASE_URL'];

/**
 * The private-address rule the environment sets: every host with DURABATCH_ALLOW_PRIVATE_URLS=1, else the hosts of
 * the configured provider base URLs (a simulator on loopback, a provider inside the company network).
 */
export function configuredPrivateHosts(env: NodeJS.ProcessEnv = process.env): PrivateHosts {
  if (env.DURABATCH_ALLOW_PRIVATE_URLS === '1') return 'any';
  const hosts: string[] = [];
  for (const name of BASE_URL_VARIABLES) {
    const value = env[name];
    if (value !== undefined && URL.canParse(value)) hosts.push(new URL(value).hostname.toLowerCase());
  }
  return hosts;
}

/** True when a URL names a host that is a private address (or `localhost`) which `privateHosts` does not vouch for. */
export function isRefusedPrivateUrl(url: URL, privateHosts: PrivateHosts): boolean {
  const host = url.hostname.toLowerCase();
  const local = host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host);
  return local && !mayBePrivate(host, privateHosts);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net.connect that resolves as usual and then refuses private addresses for hosts that may not have
 * them. Checking the address actually connected to (not a separate resolution beforehand) leaves no room for a
 * DNS answer that changes between the check and the connection.
 */
export function guardedLookup(privateHosts: PrivateHosts) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options }, (err, address: string | LookupAddress[], family?: number) => {
      if (err) return callback(err, address, family);
      const addresses = typeof address === 'string' ? [address] : address.map((a) => a.address);
      const refused = addresses.find(isPrivateAddress);
      if (refused !== undefined && !mayBePrivate(hostname, privateHosts)) {
        const error: NodeJS.ErrnoException = new Error(`${hostname} resolves to the private address ${refused}`);
        error.code = PRIVATE_ADDRESS_CODE;
        return callback(error, address, family);
      }
      callback(null, address, family);
    });
  };
}
