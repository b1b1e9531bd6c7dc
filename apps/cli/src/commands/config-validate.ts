import type { ConfigFileResult } from '@attestor/adapter-yaml-config';
import { formatIssue } from '@attestor/config';

import type { OutputFormat } from '../command-line.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandOutput } from '../io.js';

export type ConfigFileLoader = (path: string) => Promise<ConfigFileResult>;

interface FileReport {
  readonly file: string;
  readonly valid: boolean;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** The file could not be read at all. */
  readonly unreadable?: true;
}

/**
 * `attestor config validate FILE...`: checks every file and reports every error of every file
 * (each with its field path and line); exits 1 if any file is invalid, 3 if one cannot be read.
 */
export class ConfigValidateCommand {
  constructor(
    private readonly loadConfigFile: ConfigFileLoader,
    private readonly output: CommandOutput,
  ) {}

  async run(files: readonly string[], format: OutputFormat): Promise<ExitCode> {
    let exitCode: ExitCode = ExitCode.ok;
    const reports: FileReport[] = [];
    for (const file of files) {
      const loaded = await this.loadConfigFile(file);
      switch (loaded.kind) {
        case 'missing':
        case 'unreadable':
          reports.push({
            file,
            valid: false,
            errors: [loaded.kind === 'missing' ? 'no such file' : `cannot read: ${loaded.reason}`],
            warnings: [],
            unreadable: true,
          });
          exitCode = exitCode === ExitCode.ok ? ExitCode.unavailable : exitCode;
          break;
        case 'loaded': {
          const { result } = loaded;
          reports.push({
            file,
            valid: result.ok,
            errors: result.ok ? [] : result.errors.map((error) => formatIssue(error, file)),
            warnings: result.warnings.map((warning) => formatIssue(warning, file)),
          });
          if (!result.ok) exitCode = ExitCode.invalid;
          break;
        }
      }
    }
    if (format === 'json') {
      this.output.stdout(`${JSON.stringify({ files: reports }, null, 2)}\n`);
      return exitCode;
    }
    for (const report of reports) {
      for (const warning of report.warnings) this.output.stderr(`${warning}\n`);
      if (report.valid) {
        this.output.stdout(`${report.file}: valid\n`);
        continue;
      }
      if (report.unreadable === true) {
        this.output.stderr(`${report.file}: ${report.errors.join('; ')}\n`);
        continue;
      }
      for (const error of report.errors) this.output.stderr(`${error}\n`);
      const count = report.errors.length;
      this.output.stderr(
        `${report.file}: invalid (${String(count)} error${count === 1 ? '' : 's'})\n`,
      );
    }
    return exitCode;
  }
}
