/** Exit codes (README.md, "Commands"): 0 ok, 1 failures over the threshold or cancelled, 2 usage/manifest, 3 infrastructure. */
export const EXIT = { ok: 0, failures: 1, usage: 2, infrastructure: 3 } as const;

/**
 * An expected way for a command to end: reported as one actionable sentence (no stack) with its exit code.
 * Anything else reaching the top level is a bug and is printed with its stack.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export function usageError(message: string, detail?: string): CliError {
  return new CliError(message, EXIT.usage, detail);
}

export function infraError(message: string, detail?: string): CliError {
  return new CliError(message, EXIT.infrastructure, detail);
}
