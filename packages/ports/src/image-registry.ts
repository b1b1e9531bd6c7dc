/** An image pinned by digest: `registry/repository@sha256:<hex>`. */
export interface ImageDigestReference {
  readonly registry: string;
  readonly repository: string;
  /** The manifest digest, `sha256:<hex>`. */
  readonly digest: string;
}

/** A cosign-style signature found for an image: the signed payload and what vouches for it. */
export interface SignatureArtifact {
  /** The signed payload (cosign "simple signing" JSON, or a DSSE envelope's payload). */
  readonly payload: Uint8Array;
  readonly signatureBase64: string;
  /** PEM certificate chain of the signer (keyless signing), leaf first. */
  readonly certificateChainPem: readonly string[];
  /** A Sigstore bundle (JSON) when the registry stores one; verification prefers it. */
  readonly bundleJson?: string;
}

/** A signed in-toto attestation (e.g. SLSA provenance) stored beside the image. */
export interface AttestationArtifact {
  readonly predicateType: string;
  /** The DSSE envelope (JSON) or Sigstore bundle (JSON) as stored. */
  readonly envelopeJson: string;
}

/**
 * An OCI registry, as a source of the signatures and attestations of an image. Read-only.
 */
export interface ImageRegistry {
  findSignatures(
    image: ImageDigestReference,
    signal?: AbortSignal,
  ): Promise<readonly SignatureArtifact[]>;
  findAttestations(
    image: ImageDigestReference,
    signal?: AbortSignal,
  ): Promise<readonly AttestationArtifact[]>;
}
