import { lintAllowedIdentities } from '@attestor/identity-glob';
import { IdentityPolicy } from '@attestor/sigstore-policy';

import { ExitCode } from '../exit-codes.js';
import { type CommandOutput, UsageError } from '../io.js';
import { type CommandConfigLoader, configForCommand } from './command-config.js';

/**
 * `attestor policy check --issuer I --subject S [--config F] [--output json|text]`: which
 * allowedIdentities pattern allows a signer identity (exit 0), or that none does (exit 1),
 * with the policy's lint warnings.
 */
export class PolicyCheckCommand {
  constructor(
    private readonly loadConfig: CommandConfigLoader,
    private readonly output: CommandOutput,
  ) {}

  async run(options: {
    issuer?: string | undefined;
    subject?: string | undefined;
    config?: string | undefined;
    output?: string | undefined;
  }): Promise<ExitCode> {
    const { issuer, subject } = options;
    if (issuer === undefined || subject === undefined)
      throw new UsageError('policy check needs --issuer I and --subject S');
    const format = options.output ?? 'text';
    if (format !== 'json' && format !== 'text')
      throw new UsageError(`--output must be json or text, got ${JSON.stringify(format)}`);
    const config = await configForCommand(this.loadConfig, this.output, options.config);
    if (typeof config === 'number') return config;
    const allowedIdentities =
      config.docker.sigstore?.allowedIdentities ?? new Map<string, readonly string[]>();
    const decision = new IdentityPolicy(allowedIdentities).evaluate({ issuer, subject });
    const warnings = lintAllowedIdentities(allowedIdentities).map((warning) => warning.message);
    if (format === 'json') {
      this.output.stdout(
        `${JSON.stringify({ issuer, subject, ...decision, warnings }, null, 2)}\n`,
      );
    } else {
      for (const warning of warnings) this.output.stderr(`warning: ${warning}\n`);
      if (allowedIdentities.size === 0)
        this.output.stdout('no allowedIdentities are configured: no signer is allowed\n');
      else if (decision.allowed) {
        this.output.stdout(
          `allowed: issuer pattern ${JSON.stringify(decision.issuerPattern)}, subject pattern ${JSON.stringify(decision.subjectPattern)}\n`,
        );
      } else this.output.stdout('not allowed: no issuer pattern with a matching subject pattern\n');
    }
    return decision.allowed ? ExitCode.ok : ExitCode.invalid;
  }
}
