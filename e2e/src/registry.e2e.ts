import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SystemClock } from '@attestor/adapter-node-process';
import { COSIGN, CosignImageRegistry, OciRegistryClient } from '@attestor/adapter-oci-registry';
import { pushBlob, pushManifest } from '@attestor/sigstore-test-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { e2eEnvironment } from './environment.js';
import { writeBusyboxImageContext } from './images.js';
import { dockerCli } from './processes.js';

/** The OCI registry adapter against a real registry (Debian's docker-registry, distribution 2.8). */
const clock = new SystemClock();

describe('OCI registry client against a real registry', { timeout: 120_000 }, () => {
  const environment = e2eEnvironment();
  const registry = environment.registry;
  const repository = `attestor-e2e/busybox-${randomUUID().slice(0, 8)}`;
  const reference = `${registry}/${repository}:1`;
  const docker = dockerCli(environment.dockerSocket);
  let dir = '';
  let client: OciRegistryClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-e2e-registry-'));
    await docker(
      'build',
      '-q',
      '-t',
      reference,
      await writeBusyboxImageContext(dir, environment.busybox),
    );
    await docker('push', '-q', reference);
    client = new OciRegistryClient({
      clock,
      transports: new Map([[registry, { insecure: true }]]),
    });
  }, 300_000);

  afterAll(async () => {
    await client.close();
    await docker('rmi', reference).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('fetches the pushed manifest, whose digest is the image repo digest, and its config blob', async () => {
    const manifest = await client.getManifest(registry, repository, '1');
    if (manifest === undefined) throw new Error('pushed manifest not found');
    const repoDigest = await docker(
      'image',
      'inspect',
      '--format',
      '{{index .RepoDigests 0}}',
      reference,
    );
    expect(`${registry}/${repository}@${manifest.digest}`).toBe(repoDigest);
    const config = manifest.json['config'] as { digest: string };
    expect(config.digest).toBe(await docker('image', 'inspect', '--format', '{{.Id}}', reference));
    const blob = await client.getBlob(registry, repository, config.digest);
    expect(JSON.parse(Buffer.from(blob ?? []).toString('utf8'))).toHaveProperty('rootfs');
    expect(await client.getManifest(registry, repository, manifest.digest)).toMatchObject({
      digest: manifest.digest,
    });
  });

  it('names the config an image manifest, or each platform of an index, is an image of', async () => {
    const manifest = await client.getManifest(registry, repository, '1');
    if (manifest === undefined) throw new Error('pushed manifest not found');
    const imageId = await docker('image', 'inspect', '--format', '{{.Id}}', reference);
    const cosign = new CosignImageRegistry(client, clock);
    expect(
      await cosign.imageConfigDigests({ registry, repository, digest: manifest.digest }),
    ).toStrictEqual([imageId]);
    // An index listing that manifest (as a multi-platform push makes) names the same config.
    const index = await pushManifest(registry, repository, 'multi', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: manifest.mediaType,
          digest: manifest.digest,
          size: manifest.bytes.length,
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
    expect(
      await cosign.imageConfigDigests({ registry, repository, digest: index.digest }),
    ).toStrictEqual([imageId]);
    // A digest the registry does not have binds no image.
    expect(
      await cosign.imageConfigDigests({ registry, repository, digest: `sha256:${'0'.repeat(64)}` }),
    ).toStrictEqual([]);
  });

  it('finds referrers through the referrers tag, since this registry has no referrers API', async () => {
    const manifest = await client.getManifest(registry, repository, '1');
    if (manifest === undefined) throw new Error('pushed manifest not found');
    expect(await client.getReferrers(registry, repository, manifest.digest)).toStrictEqual([]);
    // Publish a referrers index at the tag a client without the API maintains.
    const descriptor = {
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: manifest.bytes.length,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    };
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [descriptor],
    });
    const put = await fetch(
      `http://${registry}/v2/${repository}/manifests/${manifest.digest.replace(':', '-')}`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
        body: index,
      },
    );
    expect(put.status).toBe(201);
    expect(await client.getReferrers(registry, repository, manifest.digest)).toStrictEqual([
      descriptor,
    ]);
  });

  it('returns undefined for a tag that does not exist', async () => {
    expect(await client.getManifest(registry, repository, 'missing')).toBeUndefined();
  });

  it('reads cosign legacy signatures and attestations and v3 bundles in the formats cosign writes', async () => {
    // A separate repository, so that the referrers tag of the test above does not interfere.
    const repo = `${repository}-cosign`;
    await docker('tag', reference, `${registry}/${repo}:1`);
    await docker('push', '-q', `${registry}/${repo}:1`);
    const image = await client.getManifest(registry, repo, '1');
    if (image === undefined) throw new Error('pushed manifest not found');
    const tagBase = image.digest.replace(':', '-');
    const emptyConfig = await pushBlob(registry, repo, '{}');
    const config = { mediaType: 'application/vnd.oci.image.config.v1+json', ...emptyConfig };

    // Legacy signature: simple-signing payload, signature and certificate annotations.
    const payload = JSON.stringify({
      critical: {
        identity: { 'docker-reference': `${registry}/${repo}` },
        image: { 'docker-manifest-digest': image.digest },
        type: 'cosign container image signature',
      },
      optional: null,
    });
    const payloadBlob = await pushBlob(registry, repo, payload);
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----\n';
    const chain =
      '-----BEGIN CERTIFICATE-----\nMIIBintermediate\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n';
    const rekorBundle = JSON.stringify({
      SignedEntryTimestamp: 'c2V0',
      Payload: { body: 'Ym9keQ==', integratedTime: 1700000000, logIndex: 7, logID: 'ab' },
    });
    await pushManifest(registry, repo, `${tagBase}.sig`, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [
        {
          mediaType: COSIGN.simpleSigningLayer,
          ...payloadBlob,
          annotations: {
            [COSIGN.signatureAnnotation]: 'c2lnbmF0dXJl',
            [COSIGN.certificateAnnotation]: certificate,
            [COSIGN.chainAnnotation]: chain,
            [COSIGN.rekorBundleAnnotation]: rekorBundle,
          },
        },
      ],
    });

    // Legacy attestation: a DSSE envelope layer with its predicate type.
    const envelope = JSON.stringify({
      payloadType: 'application/vnd.in-toto+json',
      payload: 'e30=',
      signatures: [{ keyid: '', sig: 'c2ln' }],
    });
    const envelopeBlob = await pushBlob(registry, repo, envelope);
    await pushManifest(registry, repo, `${tagBase}.att`, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [
        {
          mediaType: COSIGN.dsseLayer,
          ...envelopeBlob,
          annotations: {
            predicateType: 'https://slsa.dev/provenance/v1',
            [COSIGN.signatureAnnotation]: '',
            [COSIGN.certificateAnnotation]: certificate,
          },
        },
      ],
    });

    // cosign v3: bundles as referrers, listed in the referrers tag (no referrers API here).
    const referrer = async (bundle: string, predicateType: string) => {
      const layer = await pushBlob(registry, repo, bundle);
      const annotations = { [COSIGN.bundlePredicateTypeAnnotation]: predicateType };
      const manifest = await pushManifest(
        registry,
        repo,
        `bundle-${predicateType.length.toString()}`,
        {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          artifactType: COSIGN.bundleArtifact,
          config: {
            mediaType: 'application/vnd.oci.empty.v1+json',
            ...(await pushBlob(registry, repo, '{}')),
          },
          layers: [{ mediaType: COSIGN.bundleArtifact, ...layer }],
          subject: { mediaType: image.mediaType, digest: image.digest, size: image.bytes.length },
          annotations,
        },
      );
      return { ...manifest, artifactType: COSIGN.bundleArtifact, annotations };
    };
    const signatureBundle =
      '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","kind":"signature"}';
    const provenanceBundle =
      '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","kind":"provenance"}';
    const descriptors = [
      await referrer(signatureBundle, COSIGN.signPredicateType),
      await referrer(provenanceBundle, 'https://slsa.dev/provenance/v1'),
    ];
    await pushManifest(registry, repo, tagBase, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: descriptors,
    });

    const cosign = new CosignImageRegistry(client, clock);
    const ref = { registry, repository: repo, digest: image.digest };
    expect(await cosign.findSignatures(ref)).toStrictEqual([
      {
        format: 'cosign-legacy',
        payload: Buffer.from(payload),
        signatureBase64: 'c2lnbmF0dXJl',
        certificateChainPem: [
          '-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----\n',
          '-----BEGIN CERTIFICATE-----\nMIIBintermediate\n-----END CERTIFICATE-----\n',
          '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n',
        ],
        rekorBundleJson: rekorBundle,
      },
      { format: 'sigstore-bundle', bundleJson: signatureBundle },
    ]);
    expect(await cosign.findAttestations(ref)).toStrictEqual([
      {
        format: 'cosign-legacy',
        predicateType: 'https://slsa.dev/provenance/v1',
        envelopeJson: envelope,
        certificateChainPem: ['-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----\n'],
      },
      {
        format: 'sigstore-bundle',
        predicateType: 'https://slsa.dev/provenance/v1',
        bundleJson: provenanceBundle,
      },
    ]);
    await docker('rmi', `${registry}/${repo}:1`).catch(() => undefined);
  });
});
