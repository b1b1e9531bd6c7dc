import type { ExitCode } from './exit-codes.js';

/** Where a command writes: stdout for results, stderr for errors and warnings. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Thrown for command-line mistakes; the CLI prints the message and the usage hint (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A command that could not give its answer: the exit code it ends with, a stable code for
 * scripts, and the message. The CLI prints it once, on stderr, or as
 * `{"error": {"code", "message"}}` on stdout under `--output json`.
 */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';

  constructor(
    readonly exitCode: ExitCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An error's message, for a failure that wraps it. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
