import { readBoundedText } from '@attestor/adapter-io';
import { JsonLinesLogger } from '@attestor/adapter-node-process';
import {
  DEFAULT_CONFIG_PATH,
  EMBEDDED_DEFAULT_CONFIG,
  loadConfigFile,
  loadYamlConfig,
} from '@attestor/adapter-yaml-config';
import { AgentPid, attestorModules, Factories, Ports } from '@attestor/composition';
import { Container, ContainerModule, type ServiceIdentifier } from 'inversify';

import { Cli } from './cli.js';
import { AgentCommand } from './commands/agent.js';
import { AttestCommand } from './commands/attest.js';
import type { CommandConfigLoader } from './commands/command-config.js';
import { type ConfigFileLoader, ConfigValidateCommand } from './commands/config-validate.js';
import { LocateCommand, type TextFileReader } from './commands/locate.js';
import { PolicyCheckCommand } from './commands/policy-check.js';
import { SvidCommand } from './commands/svid.js';
import { TrustedRootCommand } from './commands/trusted-root.js';
import { VerifyBundleCommand } from './commands/verify-bundle.js';
import { VerifyImageCommand } from './commands/verify-image.js';
import type { CommandOutput } from './io.js';

/** What only the CLI binds (functions and values, which have no type to bind by). */
const CliTypes = {
  Output: Symbol.for('attestor.cli.Output') as ServiceIdentifier<CommandOutput>,
  Version: Symbol.for('attestor.cli.Version') as ServiceIdentifier<string>,
  ConfigFileLoader: Symbol.for(
    'attestor.cli.ConfigFileLoader',
  ) as ServiceIdentifier<ConfigFileLoader>,
  CommandConfigLoader: Symbol.for(
    'attestor.cli.CommandConfigLoader',
  ) as ServiceIdentifier<CommandConfigLoader>,
  TextFileReader: Symbol.for('attestor.cli.TextFileReader') as ServiceIdentifier<TextFileReader>,
} as const;

const MAX_CGROUP_FILE_BYTES = 64 * 1024;

function readBoundedTextFile(path: string): Promise<string> {
  return readBoundedText(path, MAX_CGROUP_FILE_BYTES);
}

export interface CliEnvironment {
  readonly output: CommandOutput;
  readonly version: string;
  /** Where `attest` looks for a configuration when --config is not given. */
  readonly defaultConfigPath?: string;
}

/** The CLI's side of the hexagon: its output, its configuration files, its commands. */
function cliModule(environment: CliEnvironment): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CliTypes.Output).toConstantValue(environment.output);
    bind(CliTypes.Version).toConstantValue(environment.version);
    bind(AgentPid).toConstantValue(process.pid);
    // Warnings and errors of the use case on stderr, as JSON lines; stdout is the answer.
    bind(Ports.Logger).toResolvedValue(
      (output, clock) =>
        new JsonLinesLogger(
          (line) => {
            output.stderr(line);
          },
          clock,
          'warn',
        ),
      [CliTypes.Output, Ports.Clock],
    );
    bind(CliTypes.ConfigFileLoader).toConstantValue(loadConfigFile);
    bind(CliTypes.TextFileReader).toConstantValue(readBoundedTextFile);
    bind(CliTypes.CommandConfigLoader).toConstantValue(async (path: string | undefined) => {
      const loaded = await loadConfigFile(
        path ?? environment.defaultConfigPath ?? DEFAULT_CONFIG_PATH,
      );
      if (loaded.kind !== 'missing' || path !== undefined) return loaded;
      const embedded = loadYamlConfig(EMBEDDED_DEFAULT_CONFIG);
      if (!embedded.ok) throw new Error('the embedded default configuration is invalid');
      return { kind: 'embedded' as const, config: embedded.config };
    });
    bind(AttestCommand).toResolvedValue(
      (loader, create, output) =>
        new AttestCommand(loader, (config) => create(config.docker), output),
      [CliTypes.CommandConfigLoader, Factories.WorkloadAttestor, CliTypes.Output],
    );
    bind(ConfigValidateCommand).toResolvedValue(
      (loader, output) => new ConfigValidateCommand(loader, output),
      [CliTypes.ConfigFileLoader, CliTypes.Output],
    );
    bind(LocateCommand).toResolvedValue(
      (processTable, reader, output) => new LocateCommand(processTable, reader, output),
      [Ports.ProcessTable, CliTypes.TextFileReader, CliTypes.Output],
    );
    bind(PolicyCheckCommand).toResolvedValue(
      (loader, output) => new PolicyCheckCommand(loader, output),
      [CliTypes.CommandConfigLoader, CliTypes.Output],
    );
    bind(VerifyImageCommand).toResolvedValue(
      (loader, create, output) => new VerifyImageCommand(loader, create, output),
      [CliTypes.CommandConfigLoader, Factories.SignatureVerification, CliTypes.Output],
    );
    bind(VerifyBundleCommand).toResolvedValue(
      (output) => new VerifyBundleCommand(output),
      [CliTypes.Output],
    );
    bind(SvidCommand).toResolvedValue(
      (output) => new SvidCommand(output, process.env),
      [CliTypes.Output],
    );
    bind(AgentCommand).toResolvedValue((output) => new AgentCommand(output), [CliTypes.Output]);
    bind(TrustedRootCommand).toResolvedValue(
      (output) => new TrustedRootCommand(output),
      [CliTypes.Output],
    );
    bind(Cli).toResolvedValue(
      (
        attest,
        configValidate,
        locate,
        policyCheck,
        verifyImage,
        verifyBundle,
        svid,
        agent,
        trustedRoot,
        output,
        version,
      ) =>
        new Cli(
          {
            attest,
            configValidate,
            locate,
            policyCheck,
            verifyImage,
            verifyBundle,
            svid,
            agent,
            trustedRoot,
          },
          output,
          version,
        ),
      [
        AttestCommand,
        ConfigValidateCommand,
        LocateCommand,
        PolicyCheckCommand,
        VerifyImageCommand,
        VerifyBundleCommand,
        SvidCommand,
        AgentCommand,
        TrustedRootCommand,
        CliTypes.Output,
        CliTypes.Version,
      ],
    );
  });
}

/**
 * The CLI's composition root: the only place that knows which adapter serves which port.
 * Unbinding everything (`unbindAllAsync`, as `main` does after a command) closes what the
 * adapters hold open.
 */
export function createCliContainer(environment: CliEnvironment): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(...attestorModules, cliModule(environment));
  return container;
}
