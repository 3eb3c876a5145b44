import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/program.js';
import { EMBEDDED_TEMPORAL_PORT, EMBEDDED_UI_PORT } from '../../src/shared/constants.js';
import { DEFAULT_WEBHOOK_PORT } from '../../src/shared/delivery.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** The Dockerfile's ENTRYPOINT as an argv (its JSON form), or [] when it has none. */
function entrypoint(dockerfile: string): string[] {
  return JSON.parse(/^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
}

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  stop_grace_period?: string;
}

/** Environment variables the adapters read (from src/providers/index.ts itself), optional ones aside. */
async function providerVariables(): Promise<string[]> {
  const source = await readFile(root('src/providers/index.ts'), 'utf8');
  const names = new Set(
    [...source.matchAll(/'((?:LAMINA|ARTU|MAGNIFIC)_[A-Z_]+)'|env\.((?:LAMINA|ARTU|MAGNIFIC)_[A-Z_]+)/g)].map(
      (m) => m[1] ?? m[2] ?? '',
    ),
  );
  for (const optional of ['ARTU_TRIGGER_TYPE', 'MAGNIFIC_API_KEY_HEADER']) names.delete(optional);
  return [...names].filter((n) => n.length > 0).sort();
}

describe('docker-compose.yml (parsed: there is no Docker engine here)', () => {
  it('runs Temporal on PostgreSQL with the Web UI on the ports durabatch uses', async () => {
    const compose = parse(await readFile(root('docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
    };
    const { services } = compose;
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'durabatch-setup', 'durabatch-worker']),
    );
    expect(services.temporal?.environment?.DB).toBe('postgres12');
    expect(services.temporal?.environment?.POSTGRES_SEEDS).toBe('postgresql');
    expect(services.temporal?.ports).toContain(`${EMBEDDED_TEMPORAL_PORT}:7233`);
    expect(services['temporal-ui']?.ports).toContain(`${EMBEDDED_UI_PORT}:8080`);
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('points the worker and setup at the temporal service, with every provider variable passed through and no key written down', async () => {
    const { services } = parse(await readFile(root('docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
    };
    const worker = services['durabatch-worker'];
    const setup = services['durabatch-setup'];
    for (const svc of [worker, setup]) {
      expect(svc?.build).toBe('.');
      expect(svc?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    }
    expect(worker?.command).toEqual(['worker']);
    expect(setup?.command).toEqual(['setup']);
    const env = worker?.environment ?? {};
    const variables = await providerVariables();
    expect(variables).toEqual(
      expect.arrayContaining(['LAMINA_API_KEY', 'ARTU_API_KEY', 'ARTU_ENVIRONMENT', 'MAGNIFIC_API_KEY']),
    );
    for (const name of variables) {
      expect(Object.keys(env), name).toContain(name);
      if (name.endsWith('_API_KEY')) expect(String(env[name])).toMatch(/^\$\{[A-Z_]+:-\}$/);
    }
    // Workers read nothing of the user's disk: the CLI puts the manifest into the batch's storage.
    expect(worker?.volumes ?? []).not.toContain('./data:/data');
    // A stopping worker waits for its run-starts, which end themselves within their 30 s start-to-close.
    const grace = /^(\d+)s$/.exec(worker?.stop_grace_period ?? '');
    expect(Number(grace?.[1] ?? 0)).toBeGreaterThanOrEqual(30);
  });

  it('gives the workers and the CLI one S3-compatible storage, with its bucket, and no storage key written down', async () => {
    const { services } = parse(await readFile(root('docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, Service & { entrypoint?: string[] }>;
    };
    const storage = services.storage;
    expect(storage?.image).toMatch(/^versity\/versitygw:v\d/);
    const port = /^--port$/.test(storage?.command?.[0] ?? '') ? (storage?.command?.[1] ?? '').replace(/^.*:/, '') : '';
    expect(storage?.command).toContain('posix');
    const bucket = /s3 mb s3:\/\/([a-z0-9.-]+)/.exec(services['storage-setup']?.entrypoint?.join(' ') ?? '')?.[1];
    expect(bucket).toBeDefined();
    for (const name of ['durabatch-worker', 'durabatch', 'storage-setup']) {
      const env = services[name]?.environment ?? {};
      expect(env.AWS_ENDPOINT_URL_S3, name).toBe(`http://storage:${port}`);
      expect(String(env.DURABATCH_STORAGE), name).toMatch(new RegExp(`^s3://${bucket ?? '?'}(/|$)`));
      // The same keys as the gateway's root user, from the environment of `docker compose`, never a literal.
      expect(String(env.AWS_ACCESS_KEY_ID), name).toBe(String(storage?.environment?.ROOT_ACCESS_KEY));
      expect(String(env.AWS_SECRET_ACCESS_KEY), name).toBe(String(storage?.environment?.ROOT_SECRET_KEY));
      expect(String(env.AWS_SECRET_ACCESS_KEY), name).toMatch(/^\$\{[A-Z_0-9]+:\?[^}]*\}$/);
    }
  });

  it('runs the webhook receiver on the port the CLI defaults to, with what it needs to verify Lamina webhooks', async () => {
    const { services } = parse(await readFile(root('docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
    };
    const receiver = services['durabatch-webhooks'];
    expect(receiver?.command).toEqual(['webhooks', '--port', String(DEFAULT_WEBHOOK_PORT)]);
    expect(receiver?.ports).toContain(`${DEFAULT_WEBHOOK_PORT}:${DEFAULT_WEBHOOK_PORT}`);
    expect(receiver?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    for (const name of ['LAMINA_API_KEY', 'LAMINA_BASE_URL', 'MAGNIFIC_WEBHOOK_SECRET']) {
      expect(Object.keys(receiver?.environment ?? {}), name).toContain(name);
    }
    expect(String(receiver?.environment?.LAMINA_API_KEY)).toMatch(/^\$\{[A-Z_]+:-\}$/);
  });

  it('runs commands the CLI has, from an image whose entry point is the CLI', async () => {
    const commands = buildProgram(() => undefined).commands.map((c) => c.name());
    expect(commands).toEqual(expect.arrayContaining(['worker', 'setup', 'run', 'webhooks']));
    const dockerfile = await readFile(root('Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/FROM node:20/);
    const argv = entrypoint(dockerfile);
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('/app/bin/durabatch.js');
  });

  it("bounds the image's V8 heap with node flags that node accepts", () => {
    // scripts/bench starts its workers with these same flags (imageNodeArgs in scripts/bench/common.mjs).
    const flags = entrypoint(readFileSync(root('Dockerfile'), 'utf8')).slice(1, -1);
    expect(flags).toContain('--max-old-space-size=1024');
    const limit = execFileSync(
      process.execPath,
      [...flags, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'],
      { encoding: 'utf8' },
    );
    // 1024 MB of old space plus the young generation: well under the 4 GB default of a large host.
    expect(Number(limit) / 2 ** 20).toBeGreaterThan(1000);
    expect(Number(limit) / 2 ** 20).toBeLessThan(1200);
  });
});
