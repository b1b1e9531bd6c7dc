import { createHash } from 'node:crypto';

import {
  RemoteServiceError,
  SignatureVerificationError,
  type TransparencyLog,
} from '@attestor/ports';
import {
  buildTrustedRoot,
  imageStatement,
  signAttestationLegacy,
  signImageLegacy,
  signStatement,
  signStatementRekorV2,
  TestCertificateAuthority,
  TestCtLog,
  TestTimestampAuthority,
  TestTransparencyLog,
} from '@attestor/sigstore-test-stack';
import { rejection } from '@attestor/testing';
import { beforeAll, describe, expect, it } from 'vitest';

import { SigstoreSignatureVerifier } from './sigstore-signature-verifier.js';

const IDENTITY = {
  subject: 'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};
const IMAGE = '127.0.0.1:5000/team/app';
const DIGEST = `sha256:${'a1'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'b2'.repeat(32)}`;

describe(SigstoreSignatureVerifier, () => {
  let ca: TestCertificateAuthority;
  let log: TestTransparencyLog;
  let verifier: SigstoreSignatureVerifier;
  beforeAll(async () => {
    ca = await TestCertificateAuthority.create();
    log = new TestTransparencyLog('rekor.test.invalid');
    verifier = new SigstoreSignatureVerifier(
      buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' }),
    );
  });

  /** A cosign legacy signature with its Rekor bundle set apart, as if the image carried none. */
  async function signedWithoutLogEntry() {
    const { rekorBundleJson, ...legacy } = await signImageLegacy(IMAGE, DIGEST, IDENTITY, ca, log);
    return { legacy, rekorBundleJson };
  }

  describe('having a trusted root that lists a CT log', () => {
    let ctLog: TestCtLog;
    let withCt: SigstoreSignatureVerifier;
    beforeAll(() => {
      ctLog = new TestCtLog();
      withCt = new SigstoreSignatureVerifier(
        buildTrustedRoot({ ca, log, ctLog, logBaseUrl: 'https://rekor.test.invalid' }),
      );
    });

    it('verifies a certificate that embeds an SCT from that log', async () => {
      const withSct = await TestCertificateAuthority.create(undefined, { ctLog });
      const trusted = new SigstoreSignatureVerifier(
        buildTrustedRoot({ ca: withSct, log, ctLog, logBaseUrl: 'https://rekor.test.invalid' }),
      );
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, withSct, log);
      const verified = await trusted.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
        requireTransparencyLog: true,
      });
      expect(verified.signer).toStrictEqual(IDENTITY);
    });

    it('refuses a certificate without an SCT', async () => {
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, ca, log);
      await expect(
        withCt.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
          requireTransparencyLog: true,
        }),
      ).rejects.toMatchObject({
        name: 'SignatureVerificationError',
        code: 'untrusted_certificate',
        message: expect.stringContaining('expected 1 SCTs, got 0') as unknown,
      });
    });

    it('refuses a certificate whose SCT comes from another CT log', async () => {
      const rogueCt = await TestCertificateAuthority.create(undefined, { ctLog: new TestCtLog() });
      const trusted = new SigstoreSignatureVerifier(
        buildTrustedRoot({ ca: rogueCt, log, ctLog, logBaseUrl: 'https://rekor.test.invalid' }),
      );
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, rogueCt, log);
      await expect(
        trusted.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
          requireTransparencyLog: true,
        }),
      ).rejects.toMatchObject({
        name: 'SignatureVerificationError',
        code: 'untrusted_certificate',
        message: expect.stringContaining('SCT verification failed') as unknown,
      });
    });
  });

  describe('having a cosign v3 signature on a Rekor v2 log, timestamped by a TSA', () => {
    it('verifies it and returns the entry the inclusion proof authenticates, with no log time', async () => {
      const tsa = await TestTimestampAuthority.create();
      const withTsa = new SigstoreSignatureVerifier(
        buildTrustedRoot({
          ca,
          log,
          timestampAuthority: tsa,
          logBaseUrl: 'https://rekor.test.invalid',
        }),
      );
      const { bundle } = await signStatementRekorV2(
        imageStatement(IMAGE, DIGEST, 'https://sigstore.dev/cosign/sign/v1'),
        IDENTITY,
        ca,
        log,
        tsa,
      );
      const verified = await withTsa.verify(
        { format: 'sigstore-bundle', bundleJson: JSON.stringify(bundle) },
        DIGEST,
        { requireTransparencyLog: true },
      );
      expect(verified.signer).toStrictEqual(IDENTITY);
      expect(verified.logEntry).toStrictEqual({
        logId: log.logId,
        logIndex: BigInt(log.entries().length - 1),
        bodyBase64: expect.any(String) as unknown,
      });
      // Without the TSA in the trusted root, nothing vouches for the signing time.
      await expect(
        verifier.verify({ format: 'sigstore-bundle', bundleJson: JSON.stringify(bundle) }, DIGEST, {
          requireTransparencyLog: true,
        }),
      ).rejects.toMatchObject({
        name: 'SignatureVerificationError',
        code: 'timestamp_invalid',
        message: expect.stringContaining('timestamp') as unknown,
      });
    });
  });

  describe('having a cosign legacy signature', () => {
    it('verifies it and returns the signer and the log entry', async () => {
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, ca, log);
      const verified = await verifier.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
        requireTransparencyLog: true,
      });
      expect(verified.signer).toStrictEqual(IDENTITY);
      expect(verified.signatureBase64).toBe(legacy.signatureBase64);
      expect(verified.logEntry).toMatchObject({
        logId: log.logId,
        logIndex: expect.any(BigInt) as unknown,
      });
      expect(verified.logEntry?.integratedTime).toBeGreaterThan(1_700_000_000n);
    });

    it('refuses a signature over another image digest', async () => {
      const legacy = await signImageLegacy(IMAGE, OTHER_DIGEST, IDENTITY, ca, log);
      await expect(
        verifier.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
          requireTransparencyLog: true,
        }),
      ).rejects.toMatchObject({
        name: 'SignatureVerificationError',
        code: 'digest_mismatch',
        message: expect.stringContaining(`does not name the image digest ${DIGEST}`) as unknown,
      });
    });

    it('refuses a Rekor bundle annotation without its signed entry timestamp, naming the field', async () => {
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, ca, log);
      const annotation = JSON.parse(legacy.rekorBundleJson) as Record<string, unknown>;
      delete annotation['SignedEntryTimestamp'];
      const error = await rejection(
        SignatureVerificationError,
        verifier.verify(
          { format: 'cosign-legacy', ...legacy, rekorBundleJson: JSON.stringify(annotation) },
          DIGEST,
          { requireTransparencyLog: true },
        ),
      );
      expect(error.code).toBe('malformed_signature');
      expect(error.message).toBe(
        'the cosign Rekor bundle annotation: SignedEntryTimestamp is not a string',
      );
    });

    it('refuses a tampered payload', async () => {
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, ca, log);
      const payload = Buffer.from(
        legacy.payload
          .toString()
          .replace('cosign container image signature', 'cosign container image signaturE'),
      );
      const { code } = await rejection(
        SignatureVerificationError,
        verifier.verify({ format: 'cosign-legacy', ...legacy, payload }, DIGEST, {
          requireTransparencyLog: true,
        }),
      );
      expect(code).toBe('transparency_log_invalid');
    });

    it('refuses a tampered signature', async () => {
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, ca, log);
      const signature = Buffer.from(legacy.signatureBase64, 'base64');
      signature.writeUInt8(signature.readUInt8(signature.length - 1) ^ 1, signature.length - 1);
      const { code } = await rejection(
        SignatureVerificationError,
        verifier.verify(
          { format: 'cosign-legacy', ...legacy, signatureBase64: signature.toString('base64') },
          DIGEST,
          { requireTransparencyLog: true },
        ),
      );
      expect(code).toBe('transparency_log_invalid');
    });

    it('refuses a keyless signature when the transparency log check is skipped, as the specification warns', async () => {
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, ca, log);
      await expect(
        verifier.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
          requireTransparencyLog: false,
        }),
      ).rejects.toMatchObject({
        name: 'SignatureVerificationError',
        code: 'timestamp_invalid',
        message: expect.stringMatching(/timestamp/) as unknown,
      });
    });

    it('refuses a signature without log evidence when the log is required', async () => {
      const { legacy } = await signedWithoutLogEntry();
      const { code } = await rejection(
        SignatureVerificationError,
        verifier.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
          requireTransparencyLog: true,
        }),
      );
      expect(code).toBe('timestamp_invalid');
    });

    it('looks up the log entry of a signature that carries none', async () => {
      const { legacy, rekorBundleJson } = await signedWithoutLogEntry();
      const rekor = JSON.parse(rekorBundleJson) as {
        SignedEntryTimestamp: string;
        Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
      };
      const lookups: string[] = [];
      const transparencyLog: TransparencyLog = {
        findEntriesForArtifact: (sha256Hex) => {
          lookups.push(sha256Hex);
          return Promise.resolve([
            {
              logId: rekor.Payload.logID,
              logIndex: BigInt(rekor.Payload.logIndex),
              integratedTime: BigInt(rekor.Payload.integratedTime),
              signedEntryTimestamp: rekor.SignedEntryTimestamp,
              bodyBase64: rekor.Payload.body,
            },
          ]);
        },
      };
      const withLog = new SigstoreSignatureVerifier(
        buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' }),
        transparencyLog,
      );
      const verified = await withLog.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
        requireTransparencyLog: true,
      });
      expect(verified.logEntry?.logIndex).toBe(BigInt(rekor.Payload.logIndex));
      expect(lookups).toStrictEqual([createHash('sha256').update(legacy.payload).digest('hex')]);
    });

    it('lets a transparency log failure propagate', async () => {
      const { legacy } = await signedWithoutLogEntry();
      const down: TransparencyLog = {
        findEntriesForArtifact: () =>
          Promise.reject(
            new RemoteServiceError('network_error', 'rekor x', 'rekor x: connection refused'),
          ),
      };
      const withLog = new SigstoreSignatureVerifier(
        buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' }),
        down,
      );
      await expect(
        withLog.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
          requireTransparencyLog: true,
        }),
      ).rejects.toMatchObject({
        code: 'network_error',
      });
    });

    it('refuses a certificate from an untrusted CA', async () => {
      const rogue = await TestCertificateAuthority.create();
      const legacy = await signImageLegacy(IMAGE, DIGEST, IDENTITY, rogue, log);
      const { code } = await rejection(
        SignatureVerificationError,
        verifier.verify({ format: 'cosign-legacy', ...legacy }, DIGEST, {
          requireTransparencyLog: true,
        }),
      );
      expect(code).toBe('untrusted_certificate');
    });
  });

  describe('having a Sigstore bundle with a DSSE statement (cosign v3)', () => {
    it('verifies it when the statement names the image digest', async () => {
      const { bundle } = await signStatement(
        imageStatement(IMAGE, DIGEST, 'https://sigstore.dev/cosign/sign/v1'),
        IDENTITY,
        ca,
        log,
      );
      const verified = await verifier.verify(
        { format: 'sigstore-bundle', bundleJson: JSON.stringify(bundle) },
        DIGEST,
        {
          requireTransparencyLog: true,
        },
      );
      expect(verified.signer).toStrictEqual(IDENTITY);
      expect(verified.logEntry?.logId).toBe(log.logId);
      expect(verified.predicateType).toBe('https://sigstore.dev/cosign/sign/v1');
    });

    it('refuses a statement about another digest', async () => {
      const { bundle } = await signStatement(
        imageStatement(IMAGE, OTHER_DIGEST, 'https://sigstore.dev/cosign/sign/v1'),
        IDENTITY,
        ca,
        log,
      );
      await expect(
        verifier.verify({ format: 'sigstore-bundle', bundleJson: JSON.stringify(bundle) }, DIGEST, {
          requireTransparencyLog: true,
        }),
      ).rejects.toMatchObject({
        name: 'SignatureVerificationError',
        code: 'digest_mismatch',
        message: expect.stringContaining('does not name the image digest') as unknown,
      });
    });

    it('refuses a cancelled verification', async () => {
      const { bundle } = await signStatement(imageStatement(IMAGE, DIGEST, 'x'), IDENTITY, ca, log);
      const controller = new AbortController();
      controller.abort();
      await expect(
        verifier.verify({ format: 'sigstore-bundle', bundleJson: JSON.stringify(bundle) }, DIGEST, {
          requireTransparencyLog: true,
          signal: controller.signal,
        }),
      ).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  describe('.verifyAttestation', () => {
    const provenance = (digest: string) =>
      imageStatement(IMAGE, digest, 'https://slsa.dev/provenance/v1', { builder: { id: 'ci' } });

    it('verifies a cosign legacy attestation (intoto log entry) and returns the signed predicate type', async () => {
      const legacy = await signAttestationLegacy(provenance(DIGEST), IDENTITY, ca, log);
      const verified = await verifier.verifyAttestation(
        { format: 'cosign-legacy', predicateType: 'annotation is not trusted', ...legacy },
        DIGEST,
        { requireTransparencyLog: true },
      );
      expect(verified.signer).toStrictEqual(IDENTITY);
      expect(verified.predicateType).toBe('https://slsa.dev/provenance/v1');
    });

    it('verifies a v3 bundle attestation', async () => {
      const { bundle } = await signStatement(provenance(DIGEST), IDENTITY, ca, log);
      const verified = await verifier.verifyAttestation(
        {
          format: 'sigstore-bundle',
          predicateType: 'https://slsa.dev/provenance/v1',
          bundleJson: JSON.stringify(bundle),
        },
        DIGEST,
        { requireTransparencyLog: true },
      );
      expect(verified.predicateType).toBe('https://slsa.dev/provenance/v1');
    });

    it('refuses a legacy attestation about another image', async () => {
      const legacy = await signAttestationLegacy(provenance(OTHER_DIGEST), IDENTITY, ca, log);
      await expect(
        verifier.verifyAttestation(
          { format: 'cosign-legacy', predicateType: 'x', ...legacy },
          DIGEST,
          { requireTransparencyLog: true },
        ),
      ).rejects.toMatchObject({
        name: 'SignatureVerificationError',
        code: 'digest_mismatch',
        message: expect.stringContaining('does not name the image digest') as unknown,
      });
    });

    it('refuses a legacy attestation whose envelope was altered', async () => {
      const legacy = await signAttestationLegacy(provenance(DIGEST), IDENTITY, ca, log);
      const envelope = JSON.parse(legacy.envelopeJson) as { payload: string };
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as Record<
        string,
        unknown
      >;
      statement['predicate'] = { builder: { id: 'attacker' } };
      const altered = JSON.stringify({
        ...envelope,
        payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      });
      const { code } = await rejection(
        SignatureVerificationError,
        verifier.verifyAttestation(
          { format: 'cosign-legacy', predicateType: 'x', ...legacy, envelopeJson: altered },
          DIGEST,
          {
            requireTransparencyLog: true,
          },
        ),
      );
      expect(code).toBe('transparency_log_invalid');
    });
  });
});
