import { JsonShape } from '@attestor/adapter-io';
import {
  type AttestationArtifact,
  type Clock,
  type ImageDigestReference,
  type ImageRegistry,
  RemoteServiceError,
  type SignatureArtifact,
} from '@attestor/ports';
import { TtlCache } from '@attestor/ttl-cache';

import type { Descriptor, OciRegistryClient } from './oci-registry-client.js';

/** Media types and annotations of cosign's storage formats. */
export const COSIGN = {
  simpleSigningLayer: 'application/vnd.dev.cosign.simplesigning.v1+json',
  dsseLayer: 'application/vnd.dsse.envelope.v1+json',
  bundleArtifact: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  signatureAnnotation: 'dev.cosignproject.cosign/signature',
  certificateAnnotation: 'dev.sigstore.cosign/certificate',
  chainAnnotation: 'dev.sigstore.cosign/chain',
  rekorBundleAnnotation: 'dev.sigstore.cosign/bundle',
  predicateTypeAnnotation: 'predicateType',
  bundlePredicateTypeAnnotation: 'dev.sigstore.bundle.predicateType',
  /** The predicate type cosign gives the statement of an image signature in a v3 bundle. */
  signPredicateType: 'https://sigstore.dev/cosign/sign/v1',
} as const;

const MAX_ARTIFACTS = 16;
/** How long one verification's referrer lookup is shared between its two halves. */
const RECENT_BUNDLES_TTL_MS = 5_000;
/** Images whose bundles are kept that long: the verifications running at once. */
const MAX_RECENT_BUNDLES = 64;

/**
 * The ImageRegistry port for cosign's formats, over an OciRegistryClient:
 * - legacy signatures: the `sha256-<hex>.sig` tag, one simple-signing layer per signature;
 * - legacy attestations: the `sha256-<hex>.att` tag, one DSSE envelope layer per attestation;
 * - cosign v3: Sigstore bundles attached as OCI referrers (artifact type
 *   application/vnd.dev.sigstore.bundle.v0.3+json); the bundle's
 *   `dev.sigstore.bundle.predicateType` annotation tells an attestation (an in-toto predicate
 *   such as SLSA provenance) from a signature (none, or cosign's sign predicate).
 * At most 16 artifacts of each kind are read; every blob is checked against its digest.
 */
export class CosignImageRegistry implements ImageRegistry {
  readonly #recentBundles: TtlCache<Promise<{ json: string; predicateType: string | undefined }[]>>;

  constructor(
    private readonly client: OciRegistryClient,
    clock: Clock,
  ) {
    this.#recentBundles = new TtlCache(clock, {
      ttlMs: RECENT_BUNDLES_TTL_MS,
      maxEntries: MAX_RECENT_BUNDLES,
    });
  }

  async findSignatures(
    image: ImageDigestReference,
    signal?: AbortSignal,
  ): Promise<readonly SignatureArtifact[]> {
    const legacy = await this.#legacyLayers(image, 'sig', COSIGN.simpleSigningLayer, signal);
    const signatures: SignatureArtifact[] = [];
    for (const { layer, payload } of legacy) {
      const annotations = layer.annotations ?? {};
      const signatureBase64 = annotations[COSIGN.signatureAnnotation];
      if (signatureBase64 === undefined || signatureBase64 === '') continue;
      signatures.push({
        format: 'cosign-legacy',
        payload,
        signatureBase64,
        certificateChainPem: certificateChain(annotations),
        ...rekorBundle(annotations),
      });
    }
    for (const bundle of await this.#bundlesOnce(image, signal)) {
      if (!isAttestationPredicate(bundle.predicateType))
        signatures.push({ format: 'sigstore-bundle', bundleJson: bundle.json });
    }
    return signatures;
  }

  async findAttestations(
    image: ImageDigestReference,
    signal?: AbortSignal,
  ): Promise<readonly AttestationArtifact[]> {
    const legacy = await this.#legacyLayers(image, 'att', COSIGN.dsseLayer, signal);
    const attestations: AttestationArtifact[] = [];
    for (const { layer, payload } of legacy) {
      const annotations = layer.annotations ?? {};
      const predicateType = annotations[COSIGN.predicateTypeAnnotation];
      if (predicateType === undefined) continue;
      attestations.push({
        format: 'cosign-legacy',
        predicateType,
        envelopeJson: Buffer.from(payload).toString('utf8'),
        certificateChainPem: certificateChain(annotations),
        ...rekorBundle(annotations),
      });
    }
    for (const bundle of await this.#bundlesOnce(image, signal)) {
      if (bundle.predicateType !== undefined && isAttestationPredicate(bundle.predicateType)) {
        attestations.push({
          format: 'sigstore-bundle',
          predicateType: bundle.predicateType,
          bundleJson: bundle.json,
        });
      }
    }
    return attestations;
  }

  async imageConfigDigests(
    image: ImageDigestReference,
    signal?: AbortSignal,
  ): Promise<readonly string[]> {
    const manifest = await this.client.getManifest(
      image.registry,
      image.repository,
      image.digest,
      signal,
    );
    if (manifest === undefined) return [];
    const own = configDigestOf(manifest.json);
    if (own !== undefined) return [own];
    const listed = manifest.json['manifests'];
    if (!Array.isArray(listed)) return [];
    const digests: string[] = [];
    // Every platform of an index, at most MAX_PLATFORMS of them, each fetched by its digest.
    for (const entry of listed.slice(0, MAX_PLATFORMS)) {
      const digest = unlessSkipped(() => sha256DigestOf(STORED.record(entry, 'platform')));
      if (digest === undefined) continue;
      const platform = await this.client.getManifest(
        image.registry,
        image.repository,
        digest,
        signal,
      );
      const config = platform === undefined ? undefined : configDigestOf(platform.json);
      if (config !== undefined) digests.push(config);
    }
    return digests;
  }

  /** The layers of the `sha256-<hex>.<suffix>` tag with the given media type, and their blobs. */
  async #legacyLayers(
    image: ImageDigestReference,
    suffix: 'sig' | 'att',
    mediaType: string,
    signal: AbortSignal | undefined,
  ): Promise<{ layer: Descriptor; payload: Uint8Array }[]> {
    const tag = `${image.digest.replace(':', '-')}.${suffix}`;
    const manifest = await this.client.getManifest(image.registry, image.repository, tag, signal);
    if (manifest === undefined) return [];
    const layers = descriptorsOf(manifest.json['layers']).filter(
      (layer) => layer.mediaType === mediaType,
    );
    if (layers.length > MAX_ARTIFACTS) {
      throw new RemoteServiceError(
        'too_large',
        `registry ${image.registry}`,
        `registry ${image.registry}: ${image.repository}:${tag} has more than ${String(MAX_ARTIFACTS)} layers`,
      );
    }
    const found: { layer: Descriptor; payload: Uint8Array }[] = [];
    for (const layer of layers) {
      const payload = await this.client.getBlob(
        image.registry,
        image.repository,
        layer.digest,
        signal,
      );
      if (payload !== undefined) found.push({ layer, payload });
    }
    return found;
  }

  /**
   * The referrer bundles of an image, fetched once for the signature and the attestation
   * lookups of one verification (which follow each other within seconds), not twice.
   */
  #bundlesOnce(
    image: ImageDigestReference,
    signal: AbortSignal | undefined,
  ): Promise<{ json: string; predicateType: string | undefined }[]> {
    const key = `${image.registry}/${image.repository}@${image.digest}`;
    const recent = this.#recentBundles.get(key);
    if (recent !== undefined) return recent;
    const bundles = this.#bundles(image, signal);
    this.#recentBundles.set(key, bundles);
    bundles.catch(() => {
      this.#recentBundles.delete(key);
    });
    return bundles;
  }

  /** The Sigstore bundles attached to the image as referrers. */
  async #bundles(
    image: ImageDigestReference,
    signal: AbortSignal | undefined,
  ): Promise<{ json: string; predicateType: string | undefined }[]> {
    const referrers = (
      await this.client.getReferrers(image.registry, image.repository, image.digest, signal)
    ).filter((descriptor) => descriptor.artifactType === COSIGN.bundleArtifact);
    const bundles: { json: string; predicateType: string | undefined }[] = [];
    for (const referrer of referrers.slice(0, MAX_ARTIFACTS)) {
      const manifest = await this.client.getManifest(
        image.registry,
        image.repository,
        referrer.digest,
        signal,
      );
      if (manifest === undefined) continue;
      const layer = descriptorsOf(manifest.json['layers']).find(
        (candidate) => candidate.mediaType === COSIGN.bundleArtifact,
      );
      if (layer === undefined) continue;
      const blob = await this.client.getBlob(
        image.registry,
        image.repository,
        layer.digest,
        signal,
      );
      if (blob === undefined) continue;
      const annotations = {
        ...referrer.annotations,
        ...STORED.stringEntries(manifest.json['annotations']),
      };
      bundles.push({
        json: Buffer.from(blob).toString('utf8'),
        predicateType: annotations[COSIGN.bundlePredicateTypeAnnotation],
      });
    }
    return bundles;
  }
}

/** In-toto predicates other than cosign's own signing predicate are attestations. */
function isAttestationPredicate(predicateType: string | undefined): boolean {
  return predicateType !== undefined && predicateType !== COSIGN.signPredicateType;
}

function certificateChain(annotations: Readonly<Record<string, string>>): string[] {
  const leaf = annotations[COSIGN.certificateAnnotation];
  const chain = annotations[COSIGN.chainAnnotation];
  const pems = (text: string | undefined): string[] =>
    text === undefined
      ? []
      : (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
          (pem) => `${pem}\n`,
        );
  return [...pems(leaf), ...pems(chain)];
}

function rekorBundle(annotations: Readonly<Record<string, string>>): { rekorBundleJson?: string } {
  const bundle = annotations[COSIGN.rekorBundleAnnotation];
  return bundle === undefined || bundle === '' ? {} : { rekorBundleJson: bundle };
}

/**
 * The checks of what cosign stored. A layer or platform entry that is not what it must be is
 * skipped, not fatal: the signature or platform it would have named is then simply not found,
 * which fails closed (no signature attributes), and the well-formed ones still count.
 */
class SkippedEntry extends Error {}

const STORED = new JsonShape((field, expected) => new SkippedEntry(`${field} is not ${expected}`));

/** `check` of one stored entry, or undefined when the entry is skipped. */
function unlessSkipped<T>(check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (error instanceof SkippedEntry) return undefined;
    throw error;
  }
}

function descriptorsOf(value: unknown): Descriptor[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    const descriptor = unlessSkipped((): Descriptor => {
      const record = STORED.record(entry, 'layer');
      return {
        mediaType: STORED.string(record['mediaType'], 'layer.mediaType'),
        digest: STORED.string(record['digest'], 'layer.digest'),
        size: STORED.integer(record['size'], 'layer.size'),
        annotations: STORED.stringEntries(record['annotations']),
      };
    });
    return descriptor === undefined ? [] : [descriptor];
  });
}

/** Platform manifests of an index that are looked at to bind a signature to an image. */
const MAX_PLATFORMS = 64;

/** The `config.digest` of an image manifest, when it is a sha256 digest. */
function configDigestOf(manifest: Readonly<Record<string, unknown>>): string | undefined {
  return unlessSkipped(() => sha256DigestOf(STORED.record(manifest['config'], 'config')));
}

/** The `digest` of a descriptor, when it is a sha256 digest. */
function sha256DigestOf(descriptor: Readonly<Record<string, unknown>>): string {
  const digest = STORED.string(descriptor['digest'], 'digest');
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw STORED.error('digest', 'a sha256 digest');
  return digest;
}
