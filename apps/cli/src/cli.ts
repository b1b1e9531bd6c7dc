import { parseArgs } from 'node:util';

import type { AttestCommand } from './commands/attest.js';
import type { ConfigValidateCommand } from './commands/config-validate.js';
import type { LocateCommand } from './commands/locate.js';
import type { PolicyCheckCommand } from './commands/policy-check.js';
import type { SvidCommand } from './commands/svid.js';
import type { VerifyBundleCommand } from './commands/verify-bundle.js';
import type { VerifyImageCommand } from './commands/verify-image.js';
import { ExitCode } from './exit-codes.js';
import { HELP } from './help.js';
import { type CommandOutput, UsageError } from './io.js';

export interface CliCommands {
  readonly attest: AttestCommand;
  readonly configValidate: ConfigValidateCommand;
  readonly locate: LocateCommand;
  readonly policyCheck: PolicyCheckCommand;
  readonly verifyImage: VerifyImageCommand;
  readonly verifyBundle: VerifyBundleCommand;
  readonly svid: SvidCommand;
}

/** Parses the command line, runs one command, and maps every outcome to an exit code. */
export class Cli {
  constructor(
    private readonly commands: CliCommands,
    private readonly output: CommandOutput,
    private readonly version: string,
  ) {}

  async run(argv: readonly string[]): Promise<ExitCode> {
    try {
      return await this.#dispatch(argv);
    } catch (error) {
      if (error instanceof UsageError || isParseArgsError(error)) {
        this.output.stderr(`attestor: ${error.message}\nRun 'attestor --help' for usage.\n`);
        return ExitCode.usage;
      }
      this.output.stderr(
        `attestor: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      return ExitCode.internal;
    }
  }

  #svid(args: readonly string[]): Promise<ExitCode> {
    const [subcommand, ...rest] = args;
    const { values, positionals } = svidArgs(rest);
    const only = (allowed: readonly string[]): void => {
      for (const option of Object.keys(values))
        if (!allowed.includes(option))
          throw new UsageError(`svid ${subcommand ?? ''} takes no --${option}`);
      if (subcommand !== 'validate' && positionals.length > 0)
        throw new UsageError(`svid ${subcommand ?? ''} takes no arguments`);
    };
    switch (subcommand) {
      case 'fetch':
        only(['socket', 'output', 'write']);
        return this.commands.svid.fetch(values);
      case 'jwt':
        only(['socket', 'output', 'audience', 'spiffe-id']);
        return this.commands.svid.jwt({ ...values, spiffeId: values['spiffe-id'] });
      case 'validate': {
        only(['socket', 'output', 'audience']);
        if (positionals.length > 1) throw new UsageError('svid validate takes one TOKEN');
        if ((values.audience?.length ?? 0) > 1)
          throw new UsageError('svid validate takes one --audience');
        return this.commands.svid.validate(positionals[0], {
          ...values,
          audience: values.audience?.[0],
        });
      }
      case undefined:
        throw new UsageError('svid needs a subcommand: fetch, jwt or validate');
      default:
        throw new UsageError(`unknown svid subcommand ${JSON.stringify(subcommand)}`);
    }
  }

  async #dispatch(argv: readonly string[]): Promise<ExitCode> {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        this.output.stdout(HELP);
        return command === undefined ? ExitCode.usage : ExitCode.ok;
      case '--version':
        this.output.stdout(`${this.version}\n`);
        return ExitCode.ok;
      case 'config': {
        const [subcommand, ...files] = rest;
        if (subcommand !== 'validate') {
          throw new UsageError(
            subcommand === undefined
              ? 'config needs a subcommand: validate'
              : `unknown config subcommand ${JSON.stringify(subcommand)}`,
          );
        }
        const { positionals } = parseArgs({
          args: files,
          allowPositionals: true,
          strict: true,
          options: {},
        });
        return this.commands.configValidate.run(positionals);
      }
      case 'attest': {
        const { values } = parseArgs({
          args: rest,
          strict: true,
          allowPositionals: false,
          options: {
            pid: { type: 'string' },
            config: { type: 'string' },
            output: { type: 'string' },
            identity: { type: 'boolean' },
          },
        });
        return this.commands.attest.run(values);
      }
      case 'sigstore': {
        const [subcommand, ...args] = rest;
        if (subcommand !== 'verify-bundle') {
          throw new UsageError(
            subcommand === undefined
              ? 'sigstore needs a subcommand: verify-bundle'
              : `unknown sigstore subcommand ${JSON.stringify(subcommand)}`,
          );
        }
        const { values, positionals } = parseArgs({
          args,
          strict: true,
          allowPositionals: true,
          options: {
            bundle: { type: 'string' },
            'certificate-identity': { type: 'string' },
            'certificate-oidc-issuer': { type: 'string' },
            key: { type: 'string' },
            'trusted-root': { type: 'string' },
          },
        });
        if (positionals.length > 1)
          throw new UsageError('sigstore verify-bundle takes one FILE_OR_DIGEST');
        return this.commands.verifyBundle.run(positionals[0], {
          bundle: values.bundle,
          certificateIdentity: values['certificate-identity'],
          certificateOidcIssuer: values['certificate-oidc-issuer'],
          key: values.key,
          trustedRoot: values['trusted-root'],
        });
      }
      case 'verify-image': {
        const { values, positionals } = parseArgs({
          args: rest,
          strict: true,
          allowPositionals: true,
          options: { config: { type: 'string' }, output: { type: 'string' } },
        });
        if (positionals.length > 1) throw new UsageError('verify-image takes one image reference');
        return this.commands.verifyImage.run(positionals[0], values);
      }
      case 'policy': {
        const [subcommand, ...args] = rest;
        if (subcommand !== 'check') {
          throw new UsageError(
            subcommand === undefined
              ? 'policy needs a subcommand: check'
              : `unknown policy subcommand ${JSON.stringify(subcommand)}`,
          );
        }
        const { values } = parseArgs({
          args,
          strict: true,
          allowPositionals: false,
          options: {
            issuer: { type: 'string' },
            subject: { type: 'string' },
            config: { type: 'string' },
            output: { type: 'string' },
          },
        });
        return this.commands.policyCheck.run(values);
      }
      case 'locate': {
        const { values } = parseArgs({
          args: rest,
          strict: true,
          allowPositionals: false,
          options: { pid: { type: 'string' }, 'cgroup-file': { type: 'string' } },
        });
        return this.commands.locate.run({ pid: values.pid, cgroupFile: values['cgroup-file'] });
      }
      case 'svid':
        return this.#svid(rest);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  }
}

/** `attestor svid fetch|jwt|validate ...` */
function svidArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      socket: { type: 'string' },
      output: { type: 'string', short: 'o' },
      write: { type: 'string' },
      audience: { type: 'string', multiple: true },
      'spiffe-id': { type: 'string' },
    },
  });
}

function isParseArgsError(error: unknown): error is Error {
  return (
    error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')
  );
}
