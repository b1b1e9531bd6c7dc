import type { ConfigFileResult } from '@attestor/adapter-yaml-config';
import { type AttestorConfig, formatIssue } from '@attestor/config';

import { ExitCode } from '../exit-codes.js';
import { CommandFailure, UsageError } from '../io.js';

/** Reads the configuration a command runs with: a named file, or the agent's default, or the embedded default. */
export type CommandConfigLoader = (
  path: string | undefined,
) => Promise<ConfigFileResult | { kind: 'embedded'; config: AttestorConfig }>;

/**
 * The configuration for a command. A missing or unreadable file fails with exit 3; an
 * invalid one with exit 1 and every error, one per line.
 */
export async function configForCommand(
  load: CommandConfigLoader,
  path: string | undefined,
): Promise<AttestorConfig> {
  const loaded = await load(path);
  switch (loaded.kind) {
    case 'embedded':
      return loaded.config;
    case 'missing':
      throw new CommandFailure(
        ExitCode.unavailable,
        'file_not_found',
        `${loaded.path}: no such file`,
      );
    case 'unreadable':
      throw new CommandFailure(
        ExitCode.unavailable,
        'file_unreadable',
        `${loaded.path}: cannot read: ${loaded.reason}`,
      );
    case 'loaded':
      if (loaded.result.ok) return loaded.result.config;
      throw new CommandFailure(
        ExitCode.invalid,
        'invalid_config',
        loaded.result.errors.map((error) => formatIssue(error, loaded.path)).join('\n'),
      );
  }
}

/** A `--pid` value: a positive decimal integer, or a usage error naming it. */
export function pidOf(text: string | undefined, command: string): number {
  if (text === undefined) throw new UsageError(`${command} needs --pid N`);
  if (!/^[1-9]\d{0,9}$/.test(text))
    throw new UsageError(`--pid must be a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}
