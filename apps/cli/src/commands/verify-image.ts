import { AttributeSet } from '@attestor/attributes';
import type { SignatureVerificationFactory } from '@attestor/composition';
import {
  DEFAULT_REKOR_URL,
  DEFAULT_TUF_CACHE_PATH,
  DEFAULT_TUF_MIRROR_URL,
  DEFAULT_VERIFICATION_TIMEOUT_MS,
  type SigstoreConfig,
} from '@attestor/config';
import { parseImageReference } from '@attestor/image-reference';
import { signatureAttributes } from '@attestor/sigstore-policy';

import type { CommandInput } from '../command-line.js';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure, type CommandOutput, messageOf, UsageError } from '../io.js';
import { type CommandConfigLoader, configForCommand } from './command-config.js';

/** What cosign verify's regular-expression flags are answered with. */
function regexpRefused(flag: string, instead: string): UsageError {
  return new UsageError(
    `${flag} is not supported: attestor matches signers with anchored globs (* and ?), never regular expressions; give the pattern to ${instead}`,
  );
}

/**
 * `attestor verify-image REF [-c F] [cosign's flags] [-o json|text]`: verifies an image's
 * signature (and provenance, unless skipProvenance) exactly as attestation would; prints the
 * result class, the reason, the attributes and the signature used. Exits 0 only when
 * verified, 5 when not, 3 when the registry or the log could not be reached.
 *
 * The sigstore block is the configuration's; cosign's `--certificate-identity` and
 * `--certificate-oidc-issuer` replace its allowedIdentities, and without `--config` they are
 * enough on their own: the signature is then verified as `cosign verify` does (no provenance).
 */
export class VerifyImageCommand {
  constructor(
    private readonly loadConfig: CommandConfigLoader,
    private readonly createVerification: SignatureVerificationFactory,
    private readonly output: CommandOutput,
  ) {}

  async run(input: CommandInput): Promise<ExitCode> {
    const [reference = ''] = input.positionals;
    const format = input.format;
    const sigstore = await this.#sigstore(input, reference);
    // The block is used even when its `enabled` is false: checking an image before turning
    // verification on is what this command is for.
    const handle = await this.createVerification({ ...sigstore, enabled: true });
    if (handle === undefined)
      throw new CommandFailure(ExitCode.internal, 'internal', 'no verification was built');
    try {
      const image = await handle.resolve(reference).catch((error: unknown) => {
        throw new CommandFailure(ExitCode.unavailable, 'unavailable', messageOf(error));
      });
      if (image === undefined) {
        throw new CommandFailure(
          ExitCode.unavailable,
          'image_unknown',
          `${JSON.stringify(reference)} is not an image reference the registry knows`,
        );
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
        : ExitCode.negative;
    } finally {
      await handle.close();
    }
  }

  /** The sigstore block to verify with: the configuration's, with cosign's flags applied. */
  async #sigstore(input: CommandInput, reference: string): Promise<SigstoreConfig> {
    if (input.given('certificate-identity-regexp'))
      throw regexpRefused('--certificate-identity-regexp', '--certificate-identity');
    if (input.given('certificate-oidc-issuer-regexp'))
      throw regexpRefused('--certificate-oidc-issuer-regexp', '--certificate-oidc-issuer');
    const identity = input.text('certificate-identity');
    const issuer = input.text('certificate-oidc-issuer');
    if ((identity === undefined) !== (issuer === undefined))
      throw new UsageError('--certificate-identity and --certificate-oidc-issuer go together');
    const configured =
      input.given('config') || identity === undefined
        ? (await configForCommand(this.loadConfig, input.text('config'))).docker.sigstore
        : undefined;
    if (configured === undefined && identity === undefined) {
      throw new CommandFailure(
        ExitCode.invalid,
        'no_sigstore_block',
        'the configuration has no spec.docker.sigstore block (or give --certificate-identity and --certificate-oidc-issuer)',
      );
    }
    const base: SigstoreConfig = configured ?? {
      enabled: true,
      allowedIdentities: new Map(),
      rekorURL: DEFAULT_REKOR_URL,
      // As cosign verify: the signature, not the provenance.
      skipProvenance: true,
      skipTransparencyLog: false,
      tufMirrorURL: DEFAULT_TUF_MIRROR_URL,
      tufCachePath: DEFAULT_TUF_CACHE_PATH,
      registries: new Map(),
      verificationTimeoutMs: DEFAULT_VERIFICATION_TIMEOUT_MS,
    };
    const registry = parseImageReference(reference)?.registry;
    const trustedRoot = input.text('trusted-root');
    const rekorURL = input.text('rekor-url');
    return {
      ...base,
      ...(identity === undefined || issuer === undefined
        ? {}
        : { allowedIdentities: new Map([[issuer, [identity]]]) }),
      ...(trustedRoot === undefined ? {} : { trustedRootPath: trustedRoot }),
      ...(rekorURL === undefined ? {} : { rekorURL }),
      ...(input.flag('insecure-ignore-tlog') ? { skipTransparencyLog: true } : {}),
      ...(input.flag('allow-http-registry') && registry !== undefined
        ? {
            registries: new Map([
              ...base.registries,
              [registry, { ...base.registries.get(registry), insecure: true }],
            ]),
          }
        : {}),
    };
  }
}
