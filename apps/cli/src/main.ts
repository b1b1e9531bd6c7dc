import { createCliContainer, CliTypes } from './composition-root.js';
import type { ExitCode } from './exit-codes.js';

const VERSION = '0.1.0';

/** Entry point of the `attestor` binary. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  const container = createCliContainer({
    version: VERSION,
    output: {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    },
  });
  return container.get(CliTypes.Cli).run(argv);
}
