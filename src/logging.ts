import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactSecrets } from './providers/redact.js';

let installed = false;

/**
 * Sends the Temporal SDK's logs (worker state, activity failures and retries) to a file, or to stderr for a
 * long-running `durabatch worker`, with every credential of the environment scrubbed. Call before any worker or
 * native connection is created; later calls do nothing (the SDK runtime is installed once per process).
 */
export function installLogging(opts: {
  file?: string;
  secrets: readonly string[];
  level?: 'DEBUG' | 'INFO' | 'WARN';
}): void {
  if (installed) return;
  installed = true;
  if (opts.file) mkdirSync(dirname(opts.file), { recursive: true });
  const out = opts.file ? createWriteStream(opts.file, { flags: 'a' }) : process.stderr;
  const write = (entry: LogEntry) => {
    const meta = entry.meta ? ` ${safeJson(entry.meta)}` : '';
    const line = redactSecrets(
      `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}${meta}\n`,
      opts.secrets,
    );
    out.write(line);
  };
  Runtime.install({ logger: new DefaultLogger(opts.level ?? 'INFO', write) });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v instanceof Error ? { name: v.name, message: v.message } : v,
    );
  } catch {
    return '[unserializable]';
  }
}
