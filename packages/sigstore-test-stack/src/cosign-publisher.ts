import { pushBlob, pushManifest } from './oci-push.js';
import { imageStatement, signAttestationLegacy, signImageLegacy, signStatement } from './signer.js';
import type { SignerIdentity, TestCertificateAuthority } from './test-ca.js';
import type { TestTransparencyLog } from './transparency-log.js';

const SIMPLE_SIGNING_LAYER = 'application/vnd.dev.cosign.simplesigning.v1+json';
const BUNDLE_ARTIFACT = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export interface PublishOptions {
  /** A legacy `sha256-<hex>.sig` signature: valid, with a flipped bit, or none. */
  readonly signature: 'valid' | 'tampered' | 'none';
  /** SLSA provenance as a cosign v3 bundle in the `sha256-<hex>` referrers tag. */
  readonly provenance: boolean;
  /** SLSA provenance as a cosign legacy attestation (`sha256-<hex>.att`). */
  readonly legacyProvenance?: boolean;
  /** The SLSA provenance version of both (default v1). */
  readonly provenanceVersion?: 'v0.2' | 'v1';
  /** Whether the signature layer carries cosign's Rekor bundle annotation (default true). */
  readonly rekorAnnotation?: boolean;
  /** A cosign v3 signature: a DSSE bundle (cosign's sign predicate) as a referrer. */
  readonly bundleSignature?: boolean;
}

/**
 * Writes to a (plain-HTTP, loopback) OCI registry what cosign writes for an image: a legacy
 * signature layer with cosign's annotations, and SLSA provenance as a Sigstore bundle
 * referrer listed in the referrers tag, all signed keylessly by the test stack.
 */
export async function publishCosignArtifacts(
  registry: string,
  repository: string,
  digest: string,
  identity: SignerIdentity,
  ca: TestCertificateAuthority,
  log: TestTransparencyLog,
  options: PublishOptions,
): Promise<void> {
  const config = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    ...(await pushBlob(registry, repository, '{}')),
  };
  const tagBase = digest.replace(':', '-');
  if (options.signature !== 'none') {
    const legacy = await signImageLegacy(`${registry}/${repository}`, digest, identity, ca, log);
    const signature = Buffer.from(legacy.signatureBase64, 'base64');
    if (options.signature === 'tampered')
      signature.writeUInt8(signature.readUInt8(signature.length - 1) ^ 1, signature.length - 1);
    await pushManifest(registry, repository, `${tagBase}.sig`, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [
        {
          mediaType: SIMPLE_SIGNING_LAYER,
          ...(await pushBlob(registry, repository, legacy.payload)),
          annotations: {
            'dev.cosignproject.cosign/signature': signature.toString('base64'),
            'dev.sigstore.cosign/certificate': legacy.certificateChainPem[0] ?? '',
            'dev.sigstore.cosign/chain': legacy.certificateChainPem.slice(1).join(''),
            ...(options.rekorAnnotation === false
              ? {}
              : { 'dev.sigstore.cosign/bundle': legacy.rekorBundleJson }),
          },
        },
      ],
    });
  }
  const provenance = slsaProvenance(options.provenanceVersion ?? 'v1');
  if (options.legacyProvenance === true) {
    const statement = imageStatement(
      `${registry}/${repository}`,
      digest,
      provenance.predicateType,
      provenance.predicate,
    );
    const attestation = await signAttestationLegacy(statement, identity, ca, log);
    await pushManifest(registry, repository, `${tagBase}.att`, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [
        {
          mediaType: 'application/vnd.dsse.envelope.v1+json',
          ...(await pushBlob(registry, repository, attestation.envelopeJson)),
          annotations: {
            predicateType: provenance.predicateType,
            'dev.cosignproject.cosign/signature': '',
            'dev.sigstore.cosign/certificate': attestation.certificateChainPem[0] ?? '',
            'dev.sigstore.cosign/chain': attestation.certificateChainPem.slice(1).join(''),
            'dev.sigstore.cosign/bundle': attestation.rekorBundleJson,
          },
        },
      ],
    });
  }
  // cosign v3 bundles: each a referrer manifest, all listed in the referrers tag index.
  const bundles: { predicateType: string; predicate: unknown; tag: string }[] = [];
  if (options.bundleSignature === true)
    bundles.push({
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      predicate: {},
      tag: `signature-${tagBase}`,
    });
  if (options.provenance) bundles.push({ ...provenance, tag: `provenance-${tagBase}` });
  const referrers: Record<string, unknown>[] = [];
  for (const { predicateType, predicate, tag } of bundles) {
    const { bundle } = await signStatement(
      imageStatement(`${registry}/${repository}`, digest, predicateType, predicate),
      identity,
      ca,
      log,
    );
    const annotations = { 'dev.sigstore.bundle.predicateType': predicateType };
    const referrer = await pushManifest(registry, repository, tag, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: BUNDLE_ARTIFACT,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        ...(await pushBlob(registry, repository, '{}')),
      },
      layers: [
        {
          mediaType: BUNDLE_ARTIFACT,
          ...(await pushBlob(registry, repository, JSON.stringify(bundle))),
        },
      ],
      annotations,
    });
    referrers.push({ ...referrer, artifactType: BUNDLE_ARTIFACT, annotations });
  }
  if (referrers.length > 0) {
    await pushManifest(registry, repository, tagBase, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: referrers,
    });
  }
}

/**
 * A SLSA provenance predicate of the given version, shaped as builders write them: v0.2 with
 * `builder`, `buildType`, `invocation` and `materials`; v1 with `buildDefinition` and
 * `runDetails`.
 */
export function slsaProvenance(version: 'v0.2' | 'v1'): {
  predicateType: string;
  predicate: Record<string, unknown>;
} {
  const builder = { id: 'https://ci.example/builders/release@v1' };
  const source = {
    uri: 'git+https://git.example/team/app@refs/heads/main',
    digest: { sha1: '0123456789abcdef0123456789abcdef01234567' },
  };
  if (version === 'v0.2') {
    return {
      predicateType: 'https://slsa.dev/provenance/v0.2',
      predicate: {
        builder,
        buildType: 'https://ci.example/build-types/container@v1',
        invocation: {
          configSource: { ...source, entryPoint: '.ci/release.yaml' },
          parameters: {},
        },
        materials: [source],
      },
    };
  }
  return {
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://ci.example/build-types/container@v1',
        externalParameters: { workflow: '.ci/release.yaml' },
        resolvedDependencies: [source],
      },
      runDetails: { builder, metadata: { invocationId: 'run-1' } },
    },
  };
}
