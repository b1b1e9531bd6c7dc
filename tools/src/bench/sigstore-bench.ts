/**
 * Sigstore verification benchmark (part of `npm run bench`). In one run, against the local
 * registry and the offline Sigstore stack:
 * - the floor: the registry round trips one verification needs (raw undici GETs) and the same
 *   signature checks (sigstore-js called directly);
 * - a cold verification (nothing cached) through the attestor's verification;
 * - a cached verification;
 * - single flight: 100 concurrent verifications of one new image, and how many ran.
 */
import { randomUUID } from 'node:crypto';

import { JsonLinesLogger, SystemClock } from '@attestor/adapter-node-process';
import { CosignImageRegistry, OciRegistryClient } from '@attestor/adapter-oci-registry';
import { PrometheusMetrics } from '@attestor/adapter-prometheus';
import { legacyBundleJson, SigstoreSignatureVerifier } from '@attestor/adapter-sigstore-verify';
import type { ImageDigestReference, ImageRegistry } from '@attestor/ports';
import { ImageSignatureVerification, VerificationCache } from '@attestor/sigstore-policy';
import {
  buildTrustedRoot,
  publishCosignArtifacts,
  pushBlob,
  pushManifest,
  TestCertificateAuthority,
  TestCtLog,
  TestTransparencyLog,
} from '@attestor/sigstore-test-stack';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { Registry } from 'prom-client';
import { Pool } from 'undici';

const REGISTRY = process.env['ATTESTOR_E2E_REGISTRY'] ?? '127.0.0.1:5000';
const IDENTITY = {
  subject: 'https://github.com/myorg/app/.github/workflows/release.yaml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};

interface Timing {
  readonly p50: number;
  readonly p99: number;
}

async function time(count: number, operation: () => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await operation();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return {
    p50: samples[Math.floor(count / 2)] ?? Number.NaN,
    p99: samples[Math.floor(count * 0.99)] ?? Number.NaN,
  };
}

/** Pushes a small synthetic image (config + one layer) and returns its manifest digest. */
async function pushImage(repository: string): Promise<string> {
  const config = await pushBlob(
    REGISTRY,
    repository,
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const layer = await pushBlob(REGISTRY, repository, randomUUID());
  const manifest = await pushManifest(REGISTRY, repository, '1', {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  });
  return manifest.digest;
}

export async function sigstoreBenchmark(): Promise<string[]> {
  const ctLog = new TestCtLog();
  const ca = await TestCertificateAuthority.create(undefined, { ctLog });
  const log = new TestTransparencyLog('rekor.test.invalid');
  const trustedRoot = buildTrustedRoot({
    ca,
    log,
    ctLog,
    logBaseUrl: 'https://rekor.test.invalid',
  });
  const repository = `attestor-bench/signed-${randomUUID().slice(0, 8)}`;
  const digest = await pushImage(repository);
  await publishCosignArtifacts(REGISTRY, repository, digest, IDENTITY, ca, log, {
    signature: 'valid',
    provenance: true,
  });
  const image: ImageDigestReference = { registry: REGISTRY, repository, digest };

  const clock = new SystemClock();
  const logger = new JsonLinesLogger((line) => process.stderr.write(line), clock, 'error');
  const metrics = new PrometheusMetrics(new Registry(), 'docker');
  const client = new OciRegistryClient({
    clock,
    transports: new Map([[REGISTRY, { insecure: true }]]),
  });
  const verifier = new SigstoreSignatureVerifier(trustedRoot);
  const settings = {
    enabled: true,
    allowedIdentities: new Map([[IDENTITY.issuer, [IDENTITY.subject]]]),
    skipProvenance: false,
    skipTransparencyLog: false,
    verificationTimeoutMs: 10_000,
  };
  const verificationWith = (registry: ImageRegistry): ImageSignatureVerification => {
    const verification = new ImageSignatureVerification(
      { registry, verifier, metrics, clock, logger },
      new VerificationCache(clock),
    );
    verification.configure(settings);
    return verification;
  };

  // The floor: what one verification cannot avoid, done directly.
  const pool = new Pool(`http://${REGISTRY}`, { connections: 8 });
  const get = async (path: string, accept = '*/*'): Promise<Buffer> => {
    const response = await pool.request({ path, method: 'GET', headers: { accept } });
    return Buffer.from(await response.body.arrayBuffer());
  };
  const manifestTypes =
    'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';
  const tagBase = digest.replace(':', '-');
  const trustMaterial = toTrustMaterial(TrustedRoot.fromJSON(trustedRoot));
  const rawVerifier = new Verifier(trustMaterial, { ctlogThreshold: 0 });
  const floor = async (): Promise<void> => {
    const signatureManifest = JSON.parse(
      (await get(`/v2/${repository}/manifests/${tagBase}.sig`, manifestTypes)).toString(),
    ) as {
      layers: { digest: string; annotations: Record<string, string> }[];
    };
    const layer = signatureManifest.layers[0];
    if (layer === undefined) throw new Error('no signature layer');
    const payload = await get(`/v2/${repository}/blobs/${layer.digest}`);
    await get(`/v2/${repository}/referrers/${digest}`, 'application/vnd.oci.image.index.v1+json');
    const index = JSON.parse(
      (await get(`/v2/${repository}/manifests/${tagBase}`, manifestTypes)).toString(),
    ) as { manifests: { digest: string }[] };
    const referrer = JSON.parse(
      (
        await get(`/v2/${repository}/manifests/${index.manifests[0]?.digest ?? ''}`, manifestTypes)
      ).toString(),
    ) as {
      layers: { digest: string }[];
    };
    const bundle = await get(`/v2/${repository}/blobs/${referrer.layers[0]?.digest ?? ''}`);
    // The signed manifest itself, whose config binds the signature to the running image.
    await get(`/v2/${repository}/manifests/${digest}`, manifestTypes);
    await get(`/v2/${repository}/manifests/${tagBase}.att`, manifestTypes);
    const legacy = legacyBundleJson({
      format: 'cosign-legacy',
      payload,
      signatureBase64: layer.annotations['dev.cosignproject.cosign/signature'] ?? '',
      certificateChainPem: [
        layer.annotations['dev.sigstore.cosign/certificate'] ?? '',
        ...(layer.annotations['dev.sigstore.cosign/chain'] ?? '').split(
          /(?<=-----END CERTIFICATE-----\n)/,
        ),
      ].filter((pem) => pem !== ''),
      rekorBundleJson: layer.annotations['dev.sigstore.cosign/bundle'] ?? '',
    });
    rawVerifier.verify(toSignedEntity(bundleFromJSON(legacy), payload));
    rawVerifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(bundle.toString()))));
  };
  const registry = new CosignImageRegistry(client, clock);
  const cold = async (): Promise<void> => {
    // A fresh cache and registry adapter: nothing remembered between runs.
    const outcome = await verificationWith(new CosignImageRegistry(client, clock)).verify(image);
    if (outcome.kind !== 'verified')
      throw new Error(
        `cold verification: ${outcome.kind}: ${'reason' in outcome ? outcome.reason : ''}`,
      );
  };
  const cachedVerification = verificationWith(registry);
  await cachedVerification.verify(image);
  const cached = async (): Promise<void> => {
    const outcome = await cachedVerification.verify(image);
    if (outcome.kind !== 'verified') throw new Error('cached verification failed');
  };

  // Warm-up, then measure side by side.
  await time(20, floor);
  await time(20, cold);
  await time(2000, cached);
  const floorTiming = await time(200, floor);
  const coldTiming = await time(200, cold);
  const cachedTiming = await time(20_000, cached);

  // Single flight: 100 concurrent verifications of one new image.
  const freshDigest = await pushImage(`${repository}-fresh`);
  await publishCosignArtifacts(REGISTRY, `${repository}-fresh`, freshDigest, IDENTITY, ca, log, {
    signature: 'valid',
    provenance: true,
  });
  let lookups = 0;
  const counting: ImageRegistry = {
    findSignatures: (target, signal) => {
      lookups++;
      return registry.findSignatures(target, signal);
    },
    findAttestations: (target, signal) => registry.findAttestations(target, signal),
    imageConfigDigests: (target, signal) => registry.imageConfigDigests(target, signal),
  };
  const singleFlight = verificationWith(counting);
  const outcomes = await Promise.all(
    Array.from({ length: 100 }, () =>
      singleFlight.verify({
        registry: REGISTRY,
        repository: `${repository}-fresh`,
        digest: freshDigest,
      }),
    ),
  );
  await client.close();
  await pool.close();

  const ms = (value: number): string => `${value.toFixed(3)} ms`;
  const ratio = coldTiming.p50 / floorTiming.p50;
  return [
    `sigstore verification (local registry ${REGISTRY}; legacy signature + v3 SLSA provenance; offline trust root)`,
    `  floor (same registry round trips + sigstore-js checks, direct)  p50 ${ms(floorTiming.p50)}  p99 ${ms(floorTiming.p99)}`,
    `  cold verification                                               p50 ${ms(coldTiming.p50)}  p99 ${ms(coldTiming.p99)}  ${ratio.toFixed(2)}x floor`,
    `  cached verification                                             p50 ${(cachedTiming.p50 * 1000).toFixed(1)} us  p99 ${(cachedTiming.p99 * 1000).toFixed(1)} us`,
    `  single flight: 100 concurrent verifications of one new image -> ${String(lookups)} verification(s), ${String(outcomes.filter((o) => o.kind === 'verified').length)} verified`,
    `targets:`,
    `  cold <= 1.5x floor: ${ratio.toFixed(2)}x ${ratio <= 1.5 ? 'MET' : 'MISSED'}; cached < 50 us: ${(cachedTiming.p50 * 1000).toFixed(1)} us ${cachedTiming.p50 < 0.05 ? 'MET' : 'MISSED'}; single flight: ${lookups === 1 ? 'MET' : 'MISSED'}`,
  ];
}
