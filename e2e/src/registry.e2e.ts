import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OciRegistryClient } from '@attestor/adapter-oci-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { e2eEnvironment } from './environment.js';
import { run } from './processes.js';

/** The OCI registry adapter against a real registry (Debian's docker-registry, distribution 2.8). */
describe('OCI registry client against a real registry', { timeout: 120_000 }, () => {
  const environment = e2eEnvironment();
  const registry = environment.registry;
  const repository = `attestor-e2e/busybox-${randomUUID().slice(0, 8)}`;
  const reference = `${registry}/${repository}:1`;
  const docker = async (...args: string[]): Promise<string> => {
    const result = await run(
      '/usr/bin/docker',
      ['--host', `unix://${environment.dockerSocket}`, ...args],
      120_000,
    );
    if (result.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  let dir = '';
  let client: OciRegistryClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-e2e-registry-'));
    await copyFile(environment.busybox, join(dir, 'busybox'));
    await writeFile(
      join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "sleep", "3600"]\n',
    );
    await docker('build', '-q', '-t', reference, dir);
    await docker('push', '-q', reference);
    client = new OciRegistryClient({ transports: new Map([[registry, { insecure: true }]]) });
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
});
