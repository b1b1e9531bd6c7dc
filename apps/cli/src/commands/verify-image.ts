import { AttributeSet } from '@attestor/attributes';
import type { SignatureVerificationFactory } from '@attestor/composition';
import { signatureAttributes } from '@attestor/sigstore-policy';

import { ExitCode } from '../exit-codes.js';
import { type CommandOutput, UsageError } from '../io.js';
import { type CommandConfigLoader, configForCommand } from './command-config.js';

/**
 * `attestor verify-image REF [--config F] [--output json|text]`: verifies an image's
 * signature (and provenance, unless skipProvenance) with the configuration's sigstore block,
 * exactly as attestation would; prints the result class, the reason, the attributes and the
 * signature used. Exits 0 only when verified.
 */
export class VerifyImageCommand {
  constructor(
    private readonly loadConfig: CommandConfigLoader,
    private readonly createVerification: SignatureVerificationFactory,
    private readonly output: CommandOutput,
  ) {}

  async run(
    reference: string | undefined,
    options: { config?: string | undefined; output?: string | undefined },
  ): Promise<ExitCode> {
    if (reference === undefined)
      throw new UsageError(
        'verify-image needs an image reference (registry/repository:tag or @sha256:...)',
      );
    const format = options.output ?? 'text';
    if (format !== 'json' && format !== 'text')
      throw new UsageError(`--output must be json or text, got ${JSON.stringify(format)}`);
    const config = await configForCommand(this.loadConfig, this.output, options.config);
    if (typeof config === 'number') return config;
    const sigstore = config.docker.sigstore;
    if (sigstore === undefined) {
      this.output.stderr(
        'attestor verify-image: the configuration has no spec.docker.sigstore block\n',
      );
      return ExitCode.invalid;
    }
    // The block is used even when its `enabled` is false: checking an image before turning
    // verification on is what this command is for.
    const handle = await this.createVerification({ ...sigstore, enabled: true });
    if (handle === undefined) return ExitCode.internal;
    try {
      const image = await handle.resolve(reference).catch((error: unknown) => {
        this.output.stderr(
          `attestor verify-image: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        return null;
      });
      if (image === null) return ExitCode.unavailable;
      if (image === undefined) {
        this.output.stderr(
          `attestor verify-image: ${JSON.stringify(reference)} is not an image reference the registry knows\n`,
        );
        return ExitCode.unavailable;
      }
      const outcome = await handle.verification.verify(image);
      const name = `${image.registry}/${image.repository}@${image.digest}`;
      const attributes =
        outcome.kind === 'verified'
          ? signatureAttributes(AttributeSet.builder(), outcome.signature).done().toJSON()
          : {};
      if (format === 'json') {
        this.output.stdout(
          `${JSON.stringify(
            {
              image: name,
              result: outcome.kind,
              ...(outcome.kind === 'verified'
                ? {
                    signatureCount: outcome.signatureCount,
                    signer: outcome.signature.signer,
                    ...(outcome.provenanceSigner === undefined
                      ? {}
                      : { provenanceSigner: outcome.provenanceSigner }),
                  }
                : { reason: outcome.reason }),
              attributes,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        const lines = [`${name}: ${outcome.kind}`];
        if (outcome.kind === 'verified') {
          lines.push(
            `signed by ${outcome.signature.signer.subject} (issuer ${outcome.signature.signer.issuer}); ${String(outcome.signatureCount)} valid signature(s), the first used`,
          );
          if (outcome.provenanceSigner !== undefined) {
            lines.push(
              `SLSA provenance attested by ${outcome.provenanceSigner.subject} (issuer ${outcome.provenanceSigner.issuer})`,
            );
          }
        } else {
          lines.push(`reason: ${outcome.reason}`);
        }
        lines.push(
          ...Object.entries(attributes).map(([attribute, value]) => `${attribute} = ${value}`),
        );
        this.output.stdout(`${lines.join('\n')}\n`);
      }
      if (outcome.kind === 'verified') return ExitCode.ok;
      return outcome.kind === 'network_error' || outcome.kind === 'timeout'
        ? ExitCode.unavailable
        : ExitCode.invalid;
    } finally {
      await handle.close();
    }
  }
}
