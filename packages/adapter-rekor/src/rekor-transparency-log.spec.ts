import { createHash } from 'node:crypto';

import { RemoteServiceError } from '@attestor/ports';
import {
  signArtifact,
  TestCertificateAuthority,
  TestRekorServer,
  TestTransparencyLog,
} from '@attestor/sigstore-test-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RekorTransparencyLog } from './rekor-transparency-log.js';

describe(RekorTransparencyLog, () => {
  let ca: TestCertificateAuthority;
  let log: TestTransparencyLog;
  let server: TestRekorServer;
  beforeAll(async () => {
    ca = await TestCertificateAuthority.create();
    log = new TestTransparencyLog('rekor.test.invalid');
    server = await TestRekorServer.start(log, ca);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('finds the entries of an artifact over HTTPS, trusting the given CA', async () => {
    const artifact = Buffer.from('signed payload');
    const { evidence } = await signArtifact(
      artifact,
      { subject: 'https://ci.example/x', issuer: 'https://issuer.example' },
      ca,
      log,
    );
    const rekor = new RekorTransparencyLog(server.url, { caPem: ca.rootPem });
    try {
      const entries = await rekor.findEntriesForArtifact(
        createHash('sha256').update(artifact).digest('hex'),
      );
      expect(entries).toStrictEqual([
        {
          logId: log.logId,
          logIndex: BigInt(evidence.logIndex),
          integratedTime: BigInt(evidence.integratedTime),
          signedEntryTimestamp: evidence.signedEntryTimestamp.toString('base64'),
          bodyBase64: evidence.body.toString('base64'),
        },
      ]);
      expect(await rekor.findEntriesForArtifact('0'.repeat(64))).toStrictEqual([]);
    } finally {
      await rekor.close();
    }
  });

  it('refuses a certificate it does not trust', async () => {
    const rekor = new RekorTransparencyLog(server.url);
    try {
      const error = await rekor
        .findEntriesForArtifact('0'.repeat(64))
        .catch((caught: unknown) => caught);
      expect(RemoteServiceError.is(error) && error.code).toBe('network_error');
    } finally {
      await rekor.close();
    }
  });

  it('says network_error, naming the URL, when Rekor is down', async () => {
    const rekor = new RekorTransparencyLog('https://127.0.0.1:1', { timeoutMs: 1000 });
    try {
      const error = await rekor
        .findEntriesForArtifact('0'.repeat(64))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'network_error', service: 'rekor https://127.0.0.1:1' });
    } finally {
      await rekor.close();
    }
  });

  it('refuses a plain-HTTP URL', () => {
    expect(() => new RekorTransparencyLog('http://rekor.example')).toThrow(
      'Rekor URL must be https',
    );
  });
});
