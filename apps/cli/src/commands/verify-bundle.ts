import { readBoundedFile } from '@attestor/adapter-io';
import {
  type BundleVerificationRequest,
  fetchTrustedRootThroughTuf,
  verifySigstoreBundle,
} from '@attestor/adapter-sigstore-verify';
import { DEFAULT_TUF_CACHE_PATH, DEFAULT_TUF_MIRROR_URL } from '@attestor/config';
import { CodedError } from '@attestor/ports';

import type { OutputFormat } from '../command-line.js';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure, type CommandOutput, messageOf, UsageError } from '../io.js';

const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export interface VerifyBundleOptions {
  readonly bundle?: string | undefined;
  readonly certificateIdentity?: string | undefined;
  readonly certificateOidcIssuer?: string | undefined;
  readonly key?: string | undefined;
  readonly trustedRoot?: string | undefined;
  readonly format: OutputFormat;
}

function readBounded(path: string): Promise<Buffer> {
  return readBoundedFile(path, MAX_INPUT_BYTES);
}

/**
 * `attestor sigstore verify-bundle --bundle FILE (--certificate-identity ID
 * --certificate-oidc-issuer URL | --key KEY) [--trusted-root FILE] FILE_OR_DIGEST`: the
 * sigstore-conformance client protocol. Exits 0 only when the bundle verifies, 5 when it
 * does not.
 */
export class VerifyBundleCommand {
  constructor(private readonly output: CommandOutput) {}

  async run(artifact: string | undefined, options: VerifyBundleOptions): Promise<ExitCode> {
    if (options.bundle === undefined || artifact === undefined) {
      throw new UsageError(
        'sigstore verify-bundle needs --bundle FILE and a FILE_OR_DIGEST to verify',
      );
    }
    const keyless =
      options.certificateIdentity !== undefined || options.certificateOidcIssuer !== undefined;
    if (keyless === (options.key !== undefined)) {
      throw new UsageError(
        'sigstore verify-bundle needs either --certificate-identity and --certificate-oidc-issuer, or --key',
      );
    }
    if (
      keyless &&
      (options.certificateIdentity === undefined || options.certificateOidcIssuer === undefined)
    ) {
      throw new UsageError('--certificate-identity and --certificate-oidc-issuer go together');
    }
    let request: BundleVerificationRequest;
    try {
      const digest = /^sha256:([0-9a-fA-F]{64})$/.exec(artifact)?.[1];
      request = {
        bundleJson: (await readBounded(options.bundle)).toString('utf8'),
        artifact:
          digest === undefined ? { bytes: await readBounded(artifact) } : { sha256Hex: digest },
        signer:
          options.key === undefined
            ? {
                certificateIdentity: options.certificateIdentity ?? '',
                certificateOidcIssuer: options.certificateOidcIssuer ?? '',
              }
            : { publicKeyPem: (await readBounded(options.key)).toString('utf8') },
        // Without --trusted-root: the public Sigstore trusted root, through TUF.
        trustedRootJson:
          options.trustedRoot === undefined
            ? await fetchTrustedRootThroughTuf({
                mirrorURL: DEFAULT_TUF_MIRROR_URL,
                cachePath: DEFAULT_TUF_CACHE_PATH,
                timeoutMs: 30_000,
              })
            : (JSON.parse((await readBounded(options.trustedRoot)).toString('utf8')) as unknown),
      };
    } catch (error) {
      throw new CommandFailure(ExitCode.unavailable, 'unavailable', messageOf(error));
    }
    try {
      verifySigstoreBundle(request);
    } catch (error) {
      throw new CommandFailure(
        ExitCode.negative,
        CodedError.is(error) ? error.code : 'not_verified',
        `not verified: ${messageOf(error)}`,
      );
    }
    this.output.stdout(
      options.format === 'json' ? `${JSON.stringify({ result: 'verified' })}\n` : 'verified\n',
    );
    return ExitCode.ok;
  }
}
