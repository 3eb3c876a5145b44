import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionOptions, secretValues, temporalSettings, TemporalConfigError } from './config.js';

const PROFILES = `
[profile.default]
address = "default.example:7233"
namespace = "from-default"

[profile.cloud]
address = "cloud.example:7233"
namespace = "from-cloud"
api_key = "profile-api-key-123"

[profile.cloud.grpc_meta]
x-team = "batch"

[profile.mtls]
address = "mtls.example:7233"
[profile.mtls.tls]
client_cert_data = "CERT"
client_key_data = "KEY"
server_name = "temporal.internal"
`;

let home: string;
let configFile: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'durabatch-config-'));
  configFile = join(home, 'temporal.toml');
  writeFileSync(configFile, PROFILES);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** An environment that sees no user config file unless the test points at one. */
function env(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { HOME: home, ...vars };
}

describe('temporalSettings (Temporal envconfig conventions)', () => {
  it('stays in embedded mode when nothing is configured', () => {
    const s = temporalSettings(env());
    expect(s.address).toBeNull();
    expect(s.namespace).toBe('default');
    expect(s.apiKey).toBeNull();
    expect(s.tls).toBeNull();
  });

  it('reads the default profile of the user config file (~/.config/temporalio/temporal.toml)', () => {
    mkdirSync(join(home, '.config', 'temporalio'), { recursive: true });
    writeFileSync(join(home, '.config', 'temporalio', 'temporal.toml'), PROFILES);
    const s = temporalSettings(env());
    expect(s.address).toBe('default.example:7233');
    expect(s.namespace).toBe('from-default');
  });

  it('takes the profile named by TEMPORAL_PROFILE from TEMPORAL_CONFIG_FILE', () => {
    const s = temporalSettings(env({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'cloud' }));
    expect(s.address).toBe('cloud.example:7233');
    expect(s.namespace).toBe('from-cloud');
    expect(s.apiKey).toBe('profile-api-key-123');
    expect(s.grpcMeta).toEqual({ 'x-team': 'batch' });
  });

  it('lets the environment win over the profile, field by field', () => {
    const s = temporalSettings(
      env({
        TEMPORAL_CONFIG_FILE: configFile,
        TEMPORAL_PROFILE: 'cloud',
        TEMPORAL_ADDRESS: 'env.example:7233',
        TEMPORAL_API_KEY: 'env-api-key-456',
      }),
    );
    expect(s.address).toBe('env.example:7233');
    expect(s.apiKey).toBe('env-api-key-456');
    expect(s.namespace).toBe('from-cloud');
  });

  it('treats blank variables as unset', () => {
    const s = temporalSettings(
      env({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_ADDRESS: '  ', TEMPORAL_NAMESPACE: '' }),
    );
    expect(s.address).toBe('default.example:7233');
    expect(s.namespace).toBe('from-default');
  });

  it('refuses a profile that does not exist, naming it', () => {
    expect(() => temporalSettings(env({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'nope' }))).toThrow(
      /profile 'nope'/,
    );
  });

  it('refuses a TEMPORAL_CONFIG_FILE that does not exist', () => {
    const missing = join(home, 'missing.toml');
    expect(() => temporalSettings(env({ TEMPORAL_CONFIG_FILE: missing }))).toThrow(TemporalConfigError);
  });

  it('refuses a config file that is not TOML', () => {
    writeFileSync(configFile, 'this is = = not toml');
    expect(() => temporalSettings(env({ TEMPORAL_CONFIG_FILE: configFile }))).toThrow(TemporalConfigError);
  });

  it('takes the task queue from DURABATCH_TASK_QUEUE', () => {
    expect(temporalSettings(env({ DURABATCH_TASK_QUEUE: 'q1' })).taskQueue).toBe('q1');
    expect(temporalSettings(env()).taskQueue).toBe('durabatch');
  });
});

describe('connectionOptions', () => {
  it('uses plain TLS when only an API key is set, and sends the gRPC headers', async () => {
    const s = temporalSettings(env({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'cloud' }));
    const o = await connectionOptions({ ...s, address: 'cloud.example:7233' });
    expect(o.tls).toBe(true);
    expect(o.apiKey).toBe('profile-api-key-123');
    expect(o.metadata).toEqual({ 'x-team': 'batch' });
  });

  it('builds mTLS from profile data, with TEMPORAL_TLS_SERVER_NAME overriding the profile', async () => {
    const s = temporalSettings(
      env({
        TEMPORAL_CONFIG_FILE: configFile,
        TEMPORAL_PROFILE: 'mtls',
        TEMPORAL_TLS_SERVER_NAME: 'override.internal',
      }),
    );
    const o = await connectionOptions({ ...s, address: 'mtls.example:7233' });
    expect(o.tls).toEqual({
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
      serverNameOverride: 'override.internal',
    });
  });

  it('reads TLS files named by the environment and turns TLS off with TEMPORAL_TLS=false', async () => {
    writeFileSync(join(home, 'c.pem'), 'C');
    writeFileSync(join(home, 'k.pem'), 'K');
    const files = {
      TEMPORAL_ADDRESS: 'a:1',
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(home, 'c.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: join(home, 'k.pem'),
    };
    const on = await connectionOptions({ ...temporalSettings(env(files)), address: 'a:1' });
    expect(on.tls).toEqual({ clientCertPair: { crt: Buffer.from('C'), key: Buffer.from('K') } });
    const off = await connectionOptions({
      ...temporalSettings(env({ ...files, TEMPORAL_TLS: 'false' })),
      address: 'a:1',
    });
    expect(off.tls).toBe(false);
  });

  it('says which TLS file it cannot read', async () => {
    const s = temporalSettings(
      env({ TEMPORAL_TLS_CLIENT_CERT_PATH: join(home, 'none.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: join(home, 'k') }),
    );
    await expect(connectionOptions({ ...s, address: 'a:1' })).rejects.toThrow(/client certificate at .*none\.pem/);
  });

  it('has no TLS and no headers against a plain address', async () => {
    const o = await connectionOptions({ ...temporalSettings(env({ TEMPORAL_ADDRESS: 'a:1' })), address: 'a:1' });
    expect(o).toEqual({ address: 'a:1' });
  });
});

describe('secretValues', () => {
  it('includes the API key that only the profile holds', () => {
    const secrets = secretValues(env({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'cloud' }));
    expect(secrets).toContain('profile-api-key-123');
  });
});
