/** An image pinned by digest: `registry/repository@sha256:<hex>`. */
export interface ImageDigestReference {
  readonly registry: string;
  readonly repository: string;
  /** The manifest digest, `sha256:<hex>`. */
  readonly digest: string;
}

/**
 * A signature found for an image, in the form it was stored:
 * - `cosign-legacy`: a layer of the `sha256-<hex>.sig` tag: the simple-signing payload, the
 *   signature and certificate annotations, and cosign's Rekor bundle annotation;
 * - `sigstore-bundle`: a Sigstore bundle (v0.3) attached as an OCI referrer.
 */
export type SignatureArtifact =
  | {
      readonly format: 'cosign-legacy';
      /** The signed payload: cosign "simple signing" JSON. */
      readonly payload: Uint8Array;
      readonly signatureBase64: string;
      /** PEM certificates of the signer (keyless signing), leaf first; empty for key-based. */
      readonly certificateChainPem: readonly string[];
      /** cosign's Rekor bundle annotation (SignedEntryTimestamp + Payload), when present. */
      readonly rekorBundleJson?: string;
    }
  | { readonly format: 'sigstore-bundle'; readonly bundleJson: string };

/** A signed in-toto attestation (e.g. SLSA provenance) stored beside the image. */
export type AttestationArtifact =
  | {
      readonly format: 'cosign-legacy';
      readonly predicateType: string;
      /** The DSSE envelope (JSON) as stored in the `sha256-<hex>.att` layer. */
      readonly envelopeJson: string;
      readonly certificateChainPem: readonly string[];
      readonly rekorBundleJson?: string;
    }
  | {
      readonly format: 'sigstore-bundle';
      readonly predicateType: string;
      readonly bundleJson: string;
    };

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
  /**
   * The image config digests the manifest at `image.digest` names: its own config for an
   * image manifest; for an index, the configs of the platform manifests it lists (each
   * fetched by digest, so checked against it). Empty when the registry has no such manifest.
   * This is what binds a signature of the manifest to the image a container runs.
   */
  imageConfigDigests(image: ImageDigestReference, signal?: AbortSignal): Promise<readonly string[]>;
}
