import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  buildTrustedRoot,
  signImageLegacy,
  TestCertificateAuthority,
  TestTransparencyLog,
  TestTufRepository,
} from '@attestor/sigstore-test-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TufSignatureVerifier } from './tuf-trusted-root.js';

const IDENTITY = { subject: 'https://ci.example/release', issuer: 'https://issuer.example' };
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe(TufSignatureVerifier, () => {
  let dir = '';
  let ca: TestCertificateAuthority;
  let log: TestTransparencyLog;
  let repository: TestTufRepository;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-tuf-'));
    ca = await TestCertificateAuthority.create();
    log = new TestTransparencyLog('rekor.test.invalid');
    repository = await TestTufRepository.start(
      JSON.stringify(buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' })),
    );
    await writeFile(join(dir, 'root.json'), repository.rootJson);
  });
  afterAll(async () => {
    await repository.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fetches the trusted root through TUF and verifies with it', async () => {
    const verifier = new TufSignatureVerifier({
      mirrorURL: repository.url,
      rootPath: join(dir, 'root.json'),
      cachePath: join(dir, 'cache'),
      timeoutMs: 5000,
    });
    const legacy = await signImageLegacy('127.0.0.1:5000/app', DIGEST, IDENTITY, ca, log);
    expect(verifier.state).toStrictEqual({ state: 'not_fetched' });
    const verified = await verifier.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
      requireTransparencyLog: true,
    });
    expect(verified.signer).toStrictEqual(IDENTITY);
    expect(verifier.state).toMatchObject({ state: 'loaded', at: expect.any(Number) as unknown });
  });

  it('fails as a network error naming the mirror when it is unreachable, and asks again next time', async () => {
    const verifier = new TufSignatureVerifier({
      mirrorURL: 'http://127.0.0.1:1',
      rootPath: join(dir, 'root.json'),
      cachePath: join(dir, 'cache-unreachable'),
      timeoutMs: 1000,
    });
    const legacy = await signImageLegacy('127.0.0.1:5000/app', DIGEST, IDENTITY, ca, log);
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(
        verifier.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
          requireTransparencyLog: true,
        }),
      ).rejects.toMatchObject({
        code: 'network_error',
        message: expect.stringContaining(
          'cannot get the Sigstore trusted root through TUF from http://127.0.0.1:1',
        ) as unknown,
      });
      expect(verifier.state).toMatchObject({
        state: 'failed',
        reason: expect.stringContaining('http://127.0.0.1:1') as unknown,
      });
    }
  });
});
