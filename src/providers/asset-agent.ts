import { Agent } from 'undici';
import { configuredPrivateHosts, guardedLookup, type PrivateHosts } from './asset-address.js';
import { contactedApiHosts, HTTP_CONNECTIONS_PER_ORIGIN } from './http.js';

/**
 * The hosts whose output URLs may point at private addresses (`DownloadOptions.privateHosts`): those of the
 * configured provider base URLs — named in `env`, or contacted by this process's adapters (a worker built with an
 * environment of its own) — or every host when DURABATCH_ALLOW_PRIVATE_URLS=1.
 */
export function privateHostsFrom(env: NodeJS.ProcessEnv = process.env): PrivateHosts {
  const configured = configuredPrivateHosts(env);
  return configured === 'any' ? 'any' : [...new Set([...configured, ...contactedApiHosts()])];
}

const assetAgents = new Map<string, Agent>();

/** The keep-alive agent for downloads under one private-hosts rule (one or two per process in practice). */
export function assetAgent(privateHosts: PrivateHosts): Agent {
  const key = privateHosts === 'any' ? '*' : [...privateHosts].sort().join(' ');
  let agent = assetAgents.get(key);
  if (agent === undefined) {
    agent = new Agent({
      connections: HTTP_CONNECTIONS_PER_ORIGIN,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: 10_000, lookup: guardedLookup(privateHosts) },
    });
    assetAgents.set(key, agent);
  }
  return agent;
}

/** Closes the download agents' sockets (worker shutdown, end of a test run). */
export async function closeAssetAgents(): Promise<void> {
  const agents = [...assetAgents.values()];
  assetAgents.clear();
  await Promise.all(agents.map((a) => a.close()));
}
