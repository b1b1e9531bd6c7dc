import { Cli } from './cli.js';
import { createCliContainer } from './composition-root.js';
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
  try {
    return await container.get(Cli).run(argv);
  } finally {
    // Idle keep-alive connections to the runtime sockets would hold the process open.
    await container.unbindAllAsync();
  }
}
