import { lintAllowedIdentities } from '@attestor/identity-glob';
import { IdentityPolicy } from '@attestor/sigstore-policy';

import type { OutputFormat } from '../command-line.js';
import { ExitCode } from '../exit-codes.js';
import { type CommandOutput, UsageError } from '../io.js';
import { type CommandConfigLoader, configForCommand } from './command-config.js';

/**
 * `attestor policy check --issuer I --subject S [--config F] [--output json|text]`: which
 * allowedIdentities pattern allows a signer identity (exit 0), or that none does (exit 5),
 * with the policy's lint warnings.
 */
export class PolicyCheckCommand {
  constructor(
    private readonly loadConfig: CommandConfigLoader,
    private readonly output: CommandOutput,
  ) {}

  async run(options: {
    issuer: string | undefined;
    subject: string | undefined;
    config: string | undefined;
    format: OutputFormat;
  }): Promise<ExitCode> {
    const { issuer, subject, format } = options;
    if (issuer === undefined || subject === undefined)
      throw new UsageError('policy check needs --issuer I and --subject S');
    const config = await configForCommand(this.loadConfig, options.config);
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
    return decision.allowed ? ExitCode.ok : ExitCode.negative;
  }
}
