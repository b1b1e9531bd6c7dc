import type { ConfigFileResult } from '@attestor/adapter-yaml-config';
import { type AttestorConfig, formatIssue } from '@attestor/config';

import { ExitCode } from '../exit-codes.js';
import type { CommandOutput } from '../io.js';

/** Reads the configuration a command runs with: a named file, or the agent's default, or the embedded default. */
export type CommandConfigLoader = (
  path: string | undefined,
) => Promise<ConfigFileResult | { kind: 'embedded'; config: AttestorConfig }>;

/**
 * The configuration for a command, or the exit code after printing why there is none
 * (a missing or unreadable file: 3; an invalid one, with every error: 1).
 */
export async function configForCommand(
  load: CommandConfigLoader,
  output: CommandOutput,
  path: string | undefined,
): Promise<AttestorConfig | ExitCode> {
  const loaded = await load(path);
  switch (loaded.kind) {
    case 'embedded':
      return loaded.config;
    case 'missing':
      output.stderr(`${loaded.path}: no such file\n`);
      return ExitCode.unavailable;
    case 'unreadable':
      output.stderr(`${loaded.path}: cannot read: ${loaded.reason}\n`);
      return ExitCode.unavailable;
    case 'loaded':
      if (loaded.result.ok) return loaded.result.config;
      for (const error of loaded.result.errors)
        output.stderr(`${formatIssue(error, loaded.path)}\n`);
      return ExitCode.invalid;
  }
}
