import { readFileSync } from 'node:fs';

import { ExitCode } from './exit-codes.js';

/** Set by the artifact's bundler, which leaves no package.json beside the code. */
declare const __ATTESTOR_VERSION__: string | undefined;

/** The version in package.json, which `attestor --version` prints. */
function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}

const VERSION = typeof __ATTESTOR_VERSION__ === 'string' ? __ATTESTOR_VERSION__ : packageVersion();

/** Entry point of the `attestor` binary. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  // Answered before anything else is loaded: the version is asked of a tool in a hurry.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
    process.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const [{ Cli }, { createCliContainer }] = await Promise.all([
    import('./cli.js'),
    import('./composition-root.js'),
  ]);
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
