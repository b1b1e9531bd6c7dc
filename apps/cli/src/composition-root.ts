import { DockerEngineContainerRuntime } from '@attestor/adapter-docker-engine';
import { readBoundedText } from '@attestor/adapter-io';
import { JsonLinesLogger, type LogLevel, SystemClock } from '@attestor/adapter-node-process';
import { CgroupfsCgroupTree, ProcfsProcessTable } from '@attestor/adapter-procfs';
import { PrometheusMetrics } from '@attestor/adapter-prometheus';
import {
  DEFAULT_CONFIG_PATH,
  EMBEDDED_DEFAULT_CONFIG,
  loadConfigFile,
  loadYamlConfig,
} from '@attestor/adapter-yaml-config';
import { createSignatureVerification } from '@attestor/composition';
import type { AttestorConfig } from '@attestor/config';
import type { ContainerRuntime, ProcessTable } from '@attestor/ports';
import { WorkloadAttestor } from '@attestor/workload-attestor';
import { Container, type ServiceIdentifier } from 'inversify';
import { Registry } from 'prom-client';

import { Cli } from './cli.js';
import { AttestCommand } from './commands/attest.js';
import type { CommandConfigLoader } from './commands/command-config.js';
import { type ConfigFileLoader, ConfigValidateCommand } from './commands/config-validate.js';
import { LocateCommand, type TextFileReader } from './commands/locate.js';
import { PolicyCheckCommand } from './commands/policy-check.js';
import { VerifyBundleCommand } from './commands/verify-bundle.js';
import { type SignatureVerificationFactory, VerifyImageCommand } from './commands/verify-image.js';
import type { CommandOutput } from './io.js';

/** Service identifiers of the CLI's container. */
export const CliTypes = {
  Output: Symbol.for('attestor.cli.Output') as ServiceIdentifier<CommandOutput>,
  Version: Symbol.for('attestor.cli.Version') as ServiceIdentifier<string>,
  ProcessTable: Symbol.for('attestor.cli.ProcessTable') as ServiceIdentifier<ProcessTable>,
  ContainerRuntime: Symbol.for(
    'attestor.cli.ContainerRuntime',
  ) as ServiceIdentifier<ContainerRuntime>,
  ConfigFileLoader: Symbol.for(
    'attestor.cli.ConfigFileLoader',
  ) as ServiceIdentifier<ConfigFileLoader>,
  CommandConfigLoader: Symbol.for(
    'attestor.cli.CommandConfigLoader',
  ) as ServiceIdentifier<CommandConfigLoader>,
  TextFileReader: Symbol.for('attestor.cli.TextFileReader') as ServiceIdentifier<TextFileReader>,
  AttestorFactory: Symbol.for('attestor.cli.AttestorFactory') as ServiceIdentifier<
    (config: AttestorConfig) => WorkloadAttestor
  >,
  AttestCommand: Symbol.for('attestor.cli.AttestCommand') as ServiceIdentifier<AttestCommand>,
  ConfigValidateCommand: Symbol.for(
    'attestor.cli.ConfigValidateCommand',
  ) as ServiceIdentifier<ConfigValidateCommand>,
  LocateCommand: Symbol.for('attestor.cli.LocateCommand') as ServiceIdentifier<LocateCommand>,
  PolicyCheckCommand: Symbol.for(
    'attestor.cli.PolicyCheckCommand',
  ) as ServiceIdentifier<PolicyCheckCommand>,
  VerifyImageCommand: Symbol.for(
    'attestor.cli.VerifyImageCommand',
  ) as ServiceIdentifier<VerifyImageCommand>,
  VerifyBundleCommand: Symbol.for(
    'attestor.cli.VerifyBundleCommand',
  ) as ServiceIdentifier<VerifyBundleCommand>,
  Cli: Symbol.for('attestor.cli.Cli') as ServiceIdentifier<Cli>,
} as const;

const MAX_CGROUP_FILE_BYTES = 64 * 1024;

function readBoundedTextFile(path: string): Promise<string> {
  return readBoundedText(path, MAX_CGROUP_FILE_BYTES);
}

export interface CliEnvironment {
  readonly output: CommandOutput;
  readonly version: string;
  /** The process table; procfs at /proc unless a test supplies another. */
  readonly processTable?: ProcessTable;
  /** The container runtime client; the Docker Engine API unless a test supplies another. */
  readonly containerRuntime?: ContainerRuntime;
  /** Where `attest` looks for a configuration when --config is not given. */
  readonly defaultConfigPath?: string;
}

/** The CLI's composition root: the only place that knows which adapter serves which port. */
export function createCliContainer(environment: CliEnvironment): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(CliTypes.Output).toConstantValue(environment.output);
  container.bind(CliTypes.Version).toConstantValue(environment.version);
  container
    .bind(CliTypes.ProcessTable)
    .toConstantValue(environment.processTable ?? new ProcfsProcessTable());
  container
    .bind(CliTypes.ContainerRuntime)
    .toConstantValue(environment.containerRuntime ?? new DockerEngineContainerRuntime());
  container.bind(CliTypes.ConfigFileLoader).toConstantValue(loadConfigFile);
  container.bind(CliTypes.TextFileReader).toConstantValue(readBoundedTextFile);
  container.bind(CliTypes.CommandConfigLoader).toConstantValue(async (path: string | undefined) => {
    const loaded = await loadConfigFile(
      path ?? environment.defaultConfigPath ?? DEFAULT_CONFIG_PATH,
    );
    if (loaded.kind !== 'missing' || path !== undefined) return loaded;
    const embedded = loadYamlConfig(EMBEDDED_DEFAULT_CONFIG);
    if (!embedded.ok) throw new Error('the embedded default configuration is invalid');
    return { kind: 'embedded' as const, config: embedded.config };
  });
  container.bind(CliTypes.AttestorFactory).toResolvedValue(
    (processTable: ProcessTable, runtime: ContainerRuntime, output: CommandOutput) =>
      (config: AttestorConfig) => {
        const clock = new SystemClock();
        const logger = stderrLogger(output, clock, 'warn');
        return new WorkloadAttestor(
          {
            processTable,
            runtime,
            metrics: new PrometheusMetrics(new Registry(), 'docker'),
            clock,
            logger,
            agentPid: process.pid,
            cgroupTree: new CgroupfsCgroupTree(),
          },
          config.docker,
        );
      },
    [CliTypes.ProcessTable, CliTypes.ContainerRuntime, CliTypes.Output],
  );
  container
    .bind(CliTypes.AttestCommand)
    .toResolvedValue(
      (
        loader: CommandConfigLoader,
        factory: (config: AttestorConfig) => WorkloadAttestor,
        output: CommandOutput,
      ) => new AttestCommand(loader, factory, output),
      [CliTypes.CommandConfigLoader, CliTypes.AttestorFactory, CliTypes.Output],
    );
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
    .bind(CliTypes.PolicyCheckCommand)
    .toResolvedValue(
      (loader: CommandConfigLoader, output: CommandOutput) =>
        new PolicyCheckCommand(loader, output),
      [CliTypes.CommandConfigLoader, CliTypes.Output],
    );
  container.bind(CliTypes.VerifyImageCommand).toResolvedValue(
    (loader: CommandConfigLoader, output: CommandOutput) => {
      const clock = new SystemClock();
      // Quiet logger: the command prints the outcome and its reason itself.
      const logger = stderrLogger(output, clock, 'error');
      const factory: SignatureVerificationFactory = (sigstore) =>
        createSignatureVerification(
          sigstore,
          new PrometheusMetrics(new Registry(), 'docker'),
          clock,
          logger,
        );
      return new VerifyImageCommand(loader, factory, output);
    },
    [CliTypes.CommandConfigLoader, CliTypes.Output],
  );
  container
    .bind(CliTypes.VerifyBundleCommand)
    .toResolvedValue((output: CommandOutput) => new VerifyBundleCommand(output), [CliTypes.Output]);
  container
    .bind(CliTypes.Cli)
    .toResolvedValue(
      (
        attest: AttestCommand,
        configValidate: ConfigValidateCommand,
        locate: LocateCommand,
        policyCheck: PolicyCheckCommand,
        verifyImage: VerifyImageCommand,
        verifyBundle: VerifyBundleCommand,
        output: CommandOutput,
        version: string,
      ) =>
        new Cli(
          { attest, configValidate, locate, policyCheck, verifyImage, verifyBundle },
          output,
          version,
        ),
      [
        CliTypes.AttestCommand,
        CliTypes.ConfigValidateCommand,
        CliTypes.LocateCommand,
        CliTypes.PolicyCheckCommand,
        CliTypes.VerifyImageCommand,
        CliTypes.VerifyBundleCommand,
        CliTypes.Output,
        CliTypes.Version,
      ],
    );
  return container;
}

/** JSON log lines on the command's stderr, from `level` up. */
function stderrLogger(output: CommandOutput, clock: SystemClock, level: LogLevel): JsonLinesLogger {
  return new JsonLinesLogger(
    (line) => {
      output.stderr(line);
    },
    clock,
    level,
  );
}
