import {
  type AttestationArtifact,
  RemoteServiceError,
  type SignatureArtifact,
  type SignatureVerifier,
  type TransparencyLog,
  type VerifiedSignature,
} from '@attestor/ports';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { getTrustedRoot } from '@sigstore/tuf';

import { SigstoreSignatureVerifier } from './sigstore-signature-verifier.js';

export interface TufOptions {
  readonly mirrorURL: string;
  /** The repository's initial root.json; the public Sigstore repository's is built in. */
  readonly rootPath?: string;
  readonly cachePath: string;
  readonly timeoutMs: number;
}

/**
 * A SignatureVerifier whose trusted root comes from a Sigstore TUF repository (by default the
 * public one), fetched on first use, cached on disk by the TUF client, and refetched after a
 * failure: an unreachable repository fails that verification as a network error (fail-open)
 * and is asked again next time, instead of disabling verification until a restart.
 */
/** Where a TUF-fetched trusted root stands: not asked yet, loaded, or failed the last time. */
export type TufTrustedRootState =
  | { readonly state: 'not_fetched' }
  | { readonly state: 'loaded'; readonly at: number }
  | { readonly state: 'failed'; readonly at: number; readonly reason: string };

export class TufSignatureVerifier implements SignatureVerifier {
  #verifier: Promise<SigstoreSignatureVerifier> | undefined;
  #state: TufTrustedRootState = { state: 'not_fetched' };

  constructor(
    private readonly options: TufOptions,
    private readonly transparencyLog?: TransparencyLog,
  ) {}

  async verify(
    artifact: SignatureArtifact,
    imageDigest: string,
    options: { readonly requireTransparencyLog: boolean; readonly signal?: AbortSignal },
  ): Promise<VerifiedSignature> {
    return (await this.#loaded()).verify(artifact, imageDigest, options);
  }

  async verifyAttestation(
    artifact: AttestationArtifact,
    imageDigest: string,
    options: { readonly requireTransparencyLog: boolean; readonly signal?: AbortSignal },
  ): Promise<VerifiedSignature> {
    return (await this.#loaded()).verifyAttestation(artifact, imageDigest, options);
  }

  /** What /readyz reports: the trusted root's state as the last fetch left it. */
  get state(): TufTrustedRootState {
    return this.#state;
  }

  #loaded(): Promise<SigstoreSignatureVerifier> {
    this.#verifier ??= this.#load();
    return this.#verifier;
  }

  async #load(): Promise<SigstoreSignatureVerifier> {
    try {
      const verifier = new SigstoreSignatureVerifier(
        await fetchTrustedRootThroughTuf(this.options),
        this.transparencyLog,
      );
      this.#state = { state: 'loaded', at: Date.now() };
      return verifier;
    } catch (error) {
      this.#verifier = undefined;
      this.#state = {
        state: 'failed',
        at: Date.now(),
        reason: error instanceof Error ? error.message : String(error),
      };
      throw error;
    }
  }
}

/**
 * The trusted_root.json (as JSON) of a Sigstore TUF repository, verified by the TUF client
 * against the repository's root of trust. Failures are network errors naming the mirror.
 */
export async function fetchTrustedRootThroughTuf(options: TufOptions): Promise<unknown> {
  try {
    const root = await getTrustedRoot({
      mirrorURL: options.mirrorURL,
      cachePath: options.cachePath,
      timeout: options.timeoutMs,
      retry: false,
      ...(options.rootPath === undefined ? {} : { rootPath: options.rootPath }),
    });
    return TrustedRoot.toJSON(root);
  } catch (error) {
    throw new RemoteServiceError(
      'network_error',
      `tuf ${options.mirrorURL}`,
      `cannot get the Sigstore trusted root through TUF from ${options.mirrorURL}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
