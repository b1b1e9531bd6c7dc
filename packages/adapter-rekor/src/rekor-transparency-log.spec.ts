import { createHash } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { RemoteServiceError } from '@attestor/ports';
import {
  signArtifact,
  TestCertificateAuthority,
  TestRekorServer,
  TestTransparencyLog,
} from '@attestor/sigstore-test-stack';
import { rejection } from '@attestor/testing';
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

  it('stops a Rekor that drips its answer, though no gap reaches the timeout', async () => {
    const certificate = await ca.issueServerCertificate();
    const https = createServer(
      { key: certificate.privateKeyPem, cert: certificate.pem },
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const drip = setInterval(() => response.write(' '), 100);
        response.on('close', () => {
          clearInterval(drip);
        });
      },
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${String((https.address() as AddressInfo).port)}`;
    const rekor = new RekorTransparencyLog(url, { caPem: ca.rootPem, timeoutMs: 1000 });
    try {
      const error = await rejection(
        RemoteServiceError,
        rekor.findEntriesForArtifact('0'.repeat(64)),
      );
      expect(error.code).toBe('timeout');
      expect(error.message).toContain('no answer within 1000 ms');
    } finally {
      await rekor.close();
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
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

  describe('having a Rekor that answers what no Rekor would', () => {
    const ENTRY = {
      body: 'Ym9keQ==',
      integratedTime: 1_700_000_000,
      logID: 'ab'.repeat(32),
      logIndex: 7,
      verification: { signedEntryTimestamp: 'c2V0' },
    };
    /** A Rekor over HTTPS whose index answer is `index` and whose entries answer is `entries`. */
    async function hostile(
      index: unknown,
      entries: unknown,
    ): Promise<RekorTransparencyLog & AsyncDisposable> {
      const certificate = await ca.issueServerCertificate();
      const https = createServer(
        { key: certificate.privateKeyPem, cert: certificate.pem },
        (request, response) => {
          const answer = request.url === '/api/v1/index/retrieve' ? index : entries;
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(answer));
        },
      );
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${String((https.address() as AddressInfo).port)}`;
      const rekor = new RekorTransparencyLog(url, { caPem: ca.rootPem });
      return Object.assign(rekor, {
        [Symbol.asyncDispose]: async () => {
          await rekor.close();
          https.closeAllConnections();
          await new Promise((resolve) => https.close(resolve));
        },
      });
    }

    it.each([
      [
        'an index that is not a list',
        { uuids: [] },
        [],
        'the index answer: the answer is not a list',
      ],
      ['an index of numbers', [1, 2], [], 'the index answer: the answer is not a list of strings'],
      [
        'entries that are not a list',
        ['u'],
        { u: ENTRY },
        'the entries answer: the answer is not a list',
      ],
      [
        'an entry without its signed entry timestamp',
        ['u'],
        [{ u: { ...ENTRY, verification: {} } }],
        'the entries answer: entry 0 (u).verification.signedEntryTimestamp is not a string',
      ],
      [
        'an entry whose log index is not a whole number',
        ['u'],
        [{ u: { ...ENTRY, logIndex: 1.5 } }],
        'the entries answer: entry 0 (u).logIndex is not a whole number',
      ],
      [
        'an entry whose log ID is not a sha256',
        ['u'],
        [{ u: { ...ENTRY, logID: 'secret-looking-value' } }],
        'the entries answer: entry 0 (u).logID is not a 64-hex log ID',
      ],
    ])(
      'says bad_response, naming the field and not the value, for %s',
      async (_case, index, entries, message) => {
        await using rekor = await hostile(index, entries);
        const error = await rejection(
          RemoteServiceError,
          rekor.findEntriesForArtifact('0'.repeat(64)),
        );
        expect(error.code).toBe('bad_response');
        expect(error.message).toContain(message);
        expect(error.message).not.toContain('secret-looking-value');
      },
    );
  });

  it('refuses a plain-HTTP URL', () => {
    expect(() => new RekorTransparencyLog('http://rekor.example')).toThrow(
      'Rekor URL must be https',
    );
  });
});
