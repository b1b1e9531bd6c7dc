import type {
  AttestationArtifact,
  ImageDigestReference,
  ImageRegistry,
  SignatureArtifact,
  SignatureVerifier,
  VerifiedSignature,
} from '@attestor/ports';

/** Signatures and attestations per image digest; can fail, or hang until the caller's signal aborts. */
export class FakeImageRegistry implements ImageRegistry {
  readonly signatures = new Map<string, SignatureArtifact[]>();
  readonly attestations = new Map<string, AttestationArtifact[]>();
  /** Image config digests per manifest digest (imageConfigDigests); none when absent. */
  readonly configDigests = new Map<string, string[]>();
  failure: Error | undefined;
  hang = false;
  calls = 0;

  findSignatures(
    image: ImageDigestReference,
    signal?: AbortSignal,
  ): Promise<readonly SignatureArtifact[]> {
    return this.#answer(() => this.signatures.get(image.digest) ?? [], signal);
  }

  findAttestations(
    image: ImageDigestReference,
    signal?: AbortSignal,
  ): Promise<readonly AttestationArtifact[]> {
    return this.#answer(() => this.attestations.get(image.digest) ?? [], signal);
  }

  /** Not counted in `calls`, which counts the signature lookups. */
  imageConfigDigests(image: ImageDigestReference): Promise<readonly string[]> {
    return Promise.resolve(this.configDigests.get(image.digest) ?? []);
  }

  #answer<T>(answer: () => T, signal: AbortSignal | undefined): Promise<T> {
    this.calls++;
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (!this.hang) return Promise.resolve(answer());
    return new Promise((_resolve, reject) => {
      signal?.addEventListener('abort', () => {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      });
    });
  }
}

/** A key for a signature artifact: its signature, or its bundle text. */
export function artifactKey(artifact: SignatureArtifact): string {
  return artifact.format === 'cosign-legacy' ? artifact.signatureBase64 : artifact.bundleJson;
}

/** Verifies what it was told to: results keyed by `artifactKey`; anything else is invalid. */
export class FakeSignatureVerifier implements SignatureVerifier {
  readonly results = new Map<string, VerifiedSignature>();

  verify(artifact: SignatureArtifact): Promise<VerifiedSignature> {
    return this.#result(artifactKey(artifact));
  }

  /** Attestations are keyed by their envelope or bundle text. */
  verifyAttestation(artifact: AttestationArtifact): Promise<VerifiedSignature> {
    return this.#result(
      artifact.format === 'cosign-legacy' ? artifact.envelopeJson : artifact.bundleJson,
    );
  }

  #result(key: string): Promise<VerifiedSignature> {
    const result = this.results.get(key);
    return result === undefined
      ? Promise.reject(new Error('signature invalid'))
      : Promise.resolve(result);
  }
}
