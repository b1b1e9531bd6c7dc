/** Where a command writes: stdout for results, stderr for errors and warnings. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Thrown for command-line mistakes; the CLI prints the message and the usage hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
