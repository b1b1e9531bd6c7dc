import type { ConfigFileResult } from '@attestor/adapter-yaml-config';
import { formatIssue } from '@attestor/config';

import { ExitCode } from '../exit-codes.js';
import { type CommandOutput, UsageError } from '../io.js';

export type ConfigFileLoader = (path: string) => Promise<ConfigFileResult>;

/**
 * `attestor config validate FILE...`: checks every file, prints every error of every file
 * (each with its field path and line), and exits non-zero if any file is invalid.
 */
export class ConfigValidateCommand {
  constructor(
    private readonly loadConfigFile: ConfigFileLoader,
    private readonly output: CommandOutput,
  ) {}

  async run(files: readonly string[]): Promise<ExitCode> {
    if (files.length === 0) throw new UsageError('config validate needs at least one FILE');
    let exitCode: ExitCode = ExitCode.ok;
    for (const file of files) {
      const loaded = await this.loadConfigFile(file);
      switch (loaded.kind) {
        case 'missing':
          this.output.stderr(`${file}: no such file\n`);
          exitCode = exitCode === ExitCode.ok ? ExitCode.unavailable : exitCode;
          break;
        case 'unreadable':
          this.output.stderr(`${file}: cannot read: ${loaded.reason}\n`);
          exitCode = exitCode === ExitCode.ok ? ExitCode.unavailable : exitCode;
          break;
        case 'loaded': {
          const { result } = loaded;
          for (const warning of result.warnings)
            this.output.stderr(`${formatIssue(warning, file)}\n`);
          if (result.ok) {
            this.output.stdout(`${file}: valid\n`);
          } else {
            for (const error of result.errors) this.output.stderr(`${formatIssue(error, file)}\n`);
            const count = result.errors.length;
            this.output.stderr(
              `${file}: invalid (${String(count)} error${count === 1 ? '' : 's'})\n`,
            );
            exitCode = ExitCode.invalid;
          }
          break;
        }
      }
    }
    return exitCode;
  }
}
