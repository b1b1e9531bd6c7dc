import { readBoundedFile } from '@attestor/adapter-io';
import {
  type BundleVerificationRequest,
  fetchTrustedRootThroughTuf,
  verifySigstoreBundle,
} from '@attestor/adapter-sigstore-verify';
import { DEFAULT_TUF_CACHE_PATH, DEFAULT_TUF_MIRROR_URL } from '@attestor/config';
import { CodedError } from '@attestor/ports';

import { ExitCode } from '../exit-codes.js';
import { type CommandOutput, UsageError } from '../io.js';

const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export interface VerifyBundleOptions {
  readonly bundle?: string | undefined;
  readonly certificateIdentity?: string | undefined;
  readonly certificateOidcIssuer?: string | undefined;
  readonly key?: string | undefined;
  readonly trustedRoot?: string | undefined;
}

function readBounded(path: string): Promise<Buffer> {
  return readBoundedFile(path, MAX_INPUT_BYTES);
}

/**
 * `attestor sigstore verify-bundle --bundle FILE (--certificate-identity ID
 * --certificate-oidc-issuer URL | --key KEY) [--trusted-root FILE] FILE_OR_DIGEST`: the
 * sigstore-conformance client protocol. Exits 0 only when the bundle verifies.
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
      this.output.stderr(
        `attestor sigstore verify-bundle: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return ExitCode.unavailable;
    }
    try {
      verifySigstoreBundle(request);
    } catch (error) {
      this.output.stderr(
        `attestor sigstore verify-bundle: not verified${CodedError.is(error) ? ` (${error.code})` : ''}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return ExitCode.invalid;
    }
    this.output.stdout('verified\n');
    return ExitCode.ok;
  }
}
