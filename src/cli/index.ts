#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliError, EXIT } from './errors.js';
import { StorageElsewhereError } from '../storage/index.js';
import { buildProgram } from './program.js';

/**
 * The only place that exits the process. Expected failures (CliError) print one actionable sentence and their
 * detail; commander's usage errors exit 2; anything else is a bug and prints its stack (exit 1).
 */
async function main(): Promise<void> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    code = report(err);
  }
  process.exit(code);
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
      return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof StorageElsewhereError) {
    // `results` (or any command) run where a batch's local folder is not: the same sentence the workers give.
    process.stderr.write(`durabatch: ${err.message}\n`);
    return EXIT.infrastructure;
  }
  if (err instanceof CliError) {
    process.stderr.write(`durabatch: ${err.message}\n`);
    if (err.detail) process.stderr.write(`${err.detail}\n`);
    return err.exitCode;
  }
  process.stderr.write(
    `durabatch: unexpected error (a bug — please report it):\n${(err as Error)?.stack ?? String(err)}\n`,
  );
  return EXIT.failures;
}

await main();
