import { readFile } from 'node:fs/promises';

import { ProcfsProcessTable } from '@attestor/adapter-procfs';
import { loadConfigFile } from '@attestor/adapter-yaml-config';
import type { ProcessTable } from '@attestor/ports';
import { Container, type ServiceIdentifier } from 'inversify';

import { Cli } from './cli.js';
import { ConfigValidateCommand, type ConfigFileLoader } from './commands/config-validate.js';
import { LocateCommand, type TextFileReader } from './commands/locate.js';
import type { CommandOutput } from './io.js';

/** Service identifiers of the CLI's container. */
export const CliTypes = {
  Output: Symbol.for('attestor.cli.Output') as ServiceIdentifier<CommandOutput>,
  Version: Symbol.for('attestor.cli.Version') as ServiceIdentifier<string>,
  ProcessTable: Symbol.for('attestor.cli.ProcessTable') as ServiceIdentifier<ProcessTable>,
  ConfigFileLoader: Symbol.for(
    'attestor.cli.ConfigFileLoader',
  ) as ServiceIdentifier<ConfigFileLoader>,
  TextFileReader: Symbol.for('attestor.cli.TextFileReader') as ServiceIdentifier<TextFileReader>,
  ConfigValidateCommand: Symbol.for(
    'attestor.cli.ConfigValidateCommand',
  ) as ServiceIdentifier<ConfigValidateCommand>,
  LocateCommand: Symbol.for('attestor.cli.LocateCommand') as ServiceIdentifier<LocateCommand>,
  Cli: Symbol.for('attestor.cli.Cli') as ServiceIdentifier<Cli>,
} as const;

const MAX_CGROUP_FILE_BYTES = 64 * 1024;

async function readBoundedTextFile(path: string): Promise<string> {
  const buffer = await readFile(path);
  if (buffer.length > MAX_CGROUP_FILE_BYTES) {
    throw new Error(
      `${path}: larger than ${String(MAX_CGROUP_FILE_BYTES)} bytes; not a cgroup file`,
    );
  }
  return buffer.toString('utf8');
}

export interface CliEnvironment {
  readonly output: CommandOutput;
  readonly version: string;
  /** The process table; procfs at /proc unless a test supplies another. */
  readonly processTable?: ProcessTable;
}

/** The CLI's composition root: the only place that knows which adapter serves which port. */
export function createCliContainer(environment: CliEnvironment): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(CliTypes.Output).toConstantValue(environment.output);
  container.bind(CliTypes.Version).toConstantValue(environment.version);
  container
    .bind(CliTypes.ProcessTable)
    .toConstantValue(environment.processTable ?? new ProcfsProcessTable());
  container.bind(CliTypes.ConfigFileLoader).toConstantValue(loadConfigFile);
  container.bind(CliTypes.TextFileReader).toConstantValue(readBoundedTextFile);
  container
    .bind(CliTypes.ConfigValidateCommand)
    .toResolvedValue(
      (loader: ConfigFileLoader, output: CommandOutput) =>
        new ConfigValidateCommand(loader, output),
      [CliTypes.ConfigFileLoader, CliTypes.Output],
    );
  container
    .bind(CliTypes.LocateCommand)
    .toResolvedValue(
      (processTable: ProcessTable, reader: TextFileReader, output: CommandOutput) =>
        new LocateCommand(processTable, reader, output),
      [CliTypes.ProcessTable, CliTypes.TextFileReader, CliTypes.Output],
    );
  container
    .bind(CliTypes.Cli)
    .toResolvedValue(
      (
        configValidate: ConfigValidateCommand,
        locate: LocateCommand,
        output: CommandOutput,
        version: string,
      ) => new Cli({ configValidate, locate }, output, version),
      [CliTypes.ConfigValidateCommand, CliTypes.LocateCommand, CliTypes.Output, CliTypes.Version],
    );
  return container;
}
