import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findTemporalCli, type FindTemporalCliOptions, TemporalCliNotFoundError } from './cli-path.js';
import { findProjectRoot } from './executables.js';
import { sdkCachedCliPath } from './sdk-download.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'durabatch-cli-path-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes an executable shell script at `path` (creating folders). */
async function script(path: string, body: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

const fakeCli = (path: string, label: string) => script(path, `echo "temporal version ${label}"`);

/** Options for a resolver that sees only the temp dir: no real PATH, no downloads, no builds. */
function options(env: NodeJS.ProcessEnv, extra: FindTemporalCliOptions = {}): FindTemporalCliOptions {
  return {
    env: { PATH: join(root, 'empty-path'), ...env },
    projectRoot: join(root, 'project'),
    sdkDownloadDir: join(root, 'sdk-cache'),
    allowSdkDownload: false,
    allowGoInstall: false,
    ...extra,
  };
}

describe('findTemporalCli', () => {
  it('prefers TEMPORAL_CLI_PATH over PATH and the project cache', async () => {
    const fromEnv = await fakeCli(join(root, 'env', 'temporal'), 'env');
    await fakeCli(join(root, 'bin', 'temporal'), 'path');
    await fakeCli(join(root, 'project', '.temporal', 'bin', 'temporal'), 'cache');
    const cli = await findTemporalCli(options({ TEMPORAL_CLI_PATH: fromEnv, PATH: join(root, 'bin') }));
    expect(cli).toEqual({ path: fromEnv, source: 'env', version: 'temporal version env' });
  });

  it('takes `temporal` from PATH, in PATH order, before the project cache', async () => {
    await mkdir(join(root, 'first'));
    const second = await fakeCli(join(root, 'second', 'temporal'), 'path');
    await fakeCli(join(root, 'project', '.temporal', 'bin', 'temporal'), 'cache');
    const PATH = [join(root, 'first'), join(root, 'second')].join(':');
    expect(await findTemporalCli(options({ PATH }))).toMatchObject({ path: second, source: 'path' });
  });

  it('falls back to the project cache, then to the SDK cache', async () => {
    const sdk = await fakeCli(sdkCachedCliPath(join(root, 'sdk-cache')), 'sdk');
    expect(await findTemporalCli(options({}))).toMatchObject({ path: sdk, source: 'sdk-download' });
    const cache = await fakeCli(join(root, 'project', '.temporal', 'bin', 'temporal'), 'cache');
    expect(await findTemporalCli(options({}))).toMatchObject({ path: cache, source: 'project-cache' });
  });

  it('skips candidates that are not executable or fail `--version`', async () => {
    const notExecutable = join(root, 'plain', 'temporal');
    await mkdir(dirname(notExecutable));
    await writeFile(notExecutable, 'not a program');
    await script(join(root, 'bin', 'temporal'), 'echo broken >&2; exit 3');
    const cache = await fakeCli(join(root, 'project', '.temporal', 'bin', 'temporal'), 'cache');
    const logged: string[] = [];
    const env = { TEMPORAL_CLI_PATH: notExecutable, PATH: join(root, 'bin') };
    const cli = await findTemporalCli(options(env, { log: (line) => logged.push(line) }));
    expect(cli).toMatchObject({ path: cache, source: 'project-cache' });
    expect(logged.join('\n')).toContain('broken');
  });

  it('builds the CLI into the project cache with go when Go is on PATH, saying it takes minutes', async () => {
    const goDir = join(root, 'go-bin');
    await script(
      join(goDir, 'go'),
      [
        `echo "$GOTOOLCHAIN $*" > "${join(root, 'go-args')}"`,
        `printf '#!/bin/sh\\necho "temporal version built"\\n' > "$GOBIN/temporal"`,
        '/bin/chmod +x "$GOBIN/temporal"',
      ].join('\n'),
    );
    const logged: string[] = [];
    const cli = await findTemporalCli(
      options({ PATH: goDir }, { allowGoInstall: true, log: (line) => logged.push(line) }),
    );
    expect(cli).toEqual({
      path: join(root, 'project', '.temporal', 'bin', 'temporal'),
      source: 'go-install',
      version: 'temporal version built',
    });
    expect(await readFile(join(root, 'go-args'), 'utf8')).toBe(
      'local install github.com/temporalio/cli/cmd/temporal@v1.5.1\n',
    );
    expect(logged.join('\n')).toMatch(/few minutes/);
  });

  it('fails with every option and what each said when nothing works', async () => {
    const goDir = join(root, 'go-bin');
    await script(join(goDir, 'go'), 'echo "go: go.mod requires go >= 1.25.0 (running go 1.22)" >&2; exit 1');
    const error = await findTemporalCli(options({ PATH: goDir }, { allowGoInstall: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalCliNotFoundError);
    const { message, code, name, attempts } = error as TemporalCliNotFoundError;
    expect({ code, name }).toEqual({ code: 'TEMPORAL_CLI_NOT_FOUND', name: 'TemporalCliNotFoundError' });
    expect(attempts.map((a) => a.option.split(' ')[0])).toEqual(['TEMPORAL_CLI_PATH', 'PATH', 'project', 'SDK', 'go']);
    expect(message).toContain('TEMPORAL_CLI_PATH: not set');
    expect(message).toContain('download not allowed');
    expect(message).toContain('requires go >= 1.25.0');
    for (const fix of ['TEMPORAL_CLI_PATH', 'PATH', 'scripts/install-temporal.sh', 'install Go']) {
      expect(message).toContain(fix);
    }
  });

  it('says when Go is missing or not allowed to build', async () => {
    const missing = await findTemporalCli(options({})).catch((e: unknown) => e);
    expect((missing as TemporalCliNotFoundError).attempts.at(-1)?.outcome).toBe('`go` is not on PATH');
    await script(join(root, 'go-bin', 'go'), 'exit 0');
    const disabled = await findTemporalCli(options({ PATH: join(root, 'go-bin') })).catch((e: unknown) => e);
    expect((disabled as TemporalCliNotFoundError).attempts.at(-1)?.outcome).toMatch(/^not allowed here/);
  });
});

describe('findProjectRoot', () => {
  it('walks up to the package.json named durabatch', async () => {
    const found = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
    const pkg = JSON.parse(await readFile(join(found, 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe('durabatch');
  });
});
