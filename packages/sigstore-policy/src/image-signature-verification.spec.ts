import { RemoteServiceError, type SignatureArtifact } from '@attestor/ports';
import {
  FakeClock,
  FakeImageRegistry,
  FakeSignatureVerifier,
  RecordingLogger,
  RecordingMetrics,
} from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import {
  ImageSignatureVerification,
  type SigstoreSettings,
} from './image-signature-verification.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const RELEASE = 'https://github.com/myorg/app/.github/workflows/release.yaml@refs/heads/main';
const DIGEST = `sha256:${'c3'.repeat(32)}`;
const IMAGE = { registry: '127.0.0.1:5000', repository: 'team/app', digest: DIGEST };
const SETTINGS: SigstoreSettings = {
  enabled: true,
  allowedIdentities: new Map([
    [ISSUER, ['https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main']],
  ]),
  skipProvenance: true,
  skipTransparencyLog: false,
  verificationTimeoutMs: 1000,
};
const signature = (name: string): SignatureArtifact => ({
  format: 'sigstore-bundle',
  bundleJson: name,
});

function world(settings: SigstoreSettings = SETTINGS) {
  const registry = new FakeImageRegistry();
  const verifier = new FakeSignatureVerifier();
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const verification = new ImageSignatureVerification({
    registry,
    verifier,
    metrics,
    clock: new FakeClock(),
    logger,
  });
  verification.configure(settings);
  const sign = (name: string, subject = RELEASE, predicateType?: string) => {
    verifier.results.set(name, {
      signer: { issuer: ISSUER, subject },
      signatureBase64: Buffer.from(name).toString('base64'),
      ...(predicateType === undefined ? {} : { predicateType }),
    });
    return signature(name);
  };
  return { registry, verifier, metrics, logger, verification, sign };
}

describe(ImageSignatureVerification, () => {
  describe('.verify', () => {
    it('verifies, counts the result and the signatures, and serves the next lookup from the cache', async () => {
      const w = world();
      w.registry.signatures.set(DIGEST, [w.sign('one'), w.sign('two')]);
      const outcome = await w.verification.verify(IMAGE);
      expect(outcome).toMatchObject({
        kind: 'verified',
        signatureCount: 2,
        signature: { signer: { subject: RELEASE } },
      });
      expect(await w.verification.verify(IMAGE)).toStrictEqual(outcome);
      expect(w.registry.calls).toBe(1);
      expect(w.metrics.verifications.map((v) => v.result)).toStrictEqual(['verified']);
      expect(w.metrics.signatureCounts).toStrictEqual([2]);
      expect(w.metrics.cacheLookups).toStrictEqual(['miss', 'hit']);
      expect(w.logger.records.map((r) => r.message)).toContain(
        'several valid signatures match allowedIdentities; using the first',
      );
    });

    it('says not_signed, warns naming the image, and never caches the failure', async () => {
      const w = world();
      expect(await w.verification.verify(IMAGE)).toMatchObject({ kind: 'not_signed' });
      await w.verification.verify(IMAGE);
      expect(w.registry.calls).toBe(2);
      const warning = w.logger.records.find((r) => r.level === 'warn');
      expect(warning?.fields).toMatchObject({
        image: `127.0.0.1:5000/team/app@${DIGEST}`,
        result: 'not_signed',
      });
    });

    it('says identity_mismatch for a valid signature by someone else', async () => {
      const w = world();
      w.registry.signatures.set(DIGEST, [
        w.sign(
          'stranger',
          'https://github.com/evil/app/.github/workflows/release.yaml@refs/heads/main',
        ),
      ]);
      expect(await w.verification.verify(IMAGE)).toMatchObject({ kind: 'identity_mismatch' });
    });

    it('says error when no signature verifies', async () => {
      const w = world();
      w.registry.signatures.set(DIGEST, [signature('forged')]);
      expect(await w.verification.verify(IMAGE)).toStrictEqual({
        kind: 'error',
        reason: 'none of 1 signature(s) verified: signature invalid',
      });
    });

    it('says network_error when the registry is unreachable', async () => {
      const w = world();
      w.registry.failure = new RemoteServiceError(
        'network_error',
        'registry 127.0.0.1:5000',
        'connection refused',
      );
      expect(await w.verification.verify(IMAGE)).toMatchObject({ kind: 'network_error' });
      expect(w.metrics.verifications.map((v) => v.result)).toStrictEqual(['network_error']);
    });

    it('says timeout when the deadline passes', async () => {
      const w = world({ ...SETTINGS, verificationTimeoutMs: 20 });
      w.registry.hang = true;
      expect(await w.verification.verify(IMAGE)).toMatchObject({
        kind: 'timeout',
        reason: 'verification did not finish within 20 ms',
      });
    });

    it('says cancelled to a caller that goes away, and the shared verification still completes', async () => {
      const w = world();
      w.registry.signatures.set(DIGEST, [w.sign('one')]);
      const controller = new AbortController();
      controller.abort();
      expect(await w.verification.verify(IMAGE, controller.signal)).toMatchObject({
        kind: 'cancelled',
      });
      const waiting = new AbortController();
      expect(await w.verification.verify(IMAGE, waiting.signal)).toMatchObject({
        kind: 'verified',
      });
    });

    it('says timeout, not cancelled, when the caller’s deadline stops it', async () => {
      const w = world();
      w.registry.hang = true;
      const deadline = new AbortController();
      const reason = new Error('15000 ms');
      reason.name = 'TimeoutError';
      const pending = w.verification.verify(IMAGE, deadline.signal);
      deadline.abort(reason);
      expect(await pending).toStrictEqual({
        kind: 'timeout',
        reason: "the caller's deadline passed: 15000 ms",
      });
      expect(w.metrics.verifications.map((v) => v.result)).toContain('timeout');
    });

    it('shares one verification between 100 concurrent attestations of one new image', async () => {
      const w = world();
      w.registry.signatures.set(DIGEST, [w.sign('one')]);
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, () => w.verification.verify(IMAGE)),
      );
      expect(outcomes.every((outcome) => outcome.kind === 'verified')).toBe(true);
      expect(w.registry.calls).toBe(1);
      expect(w.metrics.verifications).toHaveLength(1);
    });

    it('does not verify when disabled', async () => {
      const w = world({ ...SETTINGS, enabled: false });
      expect((await w.verification.verify(IMAGE)).kind).toBe('error');
      expect(w.registry.calls).toBe(0);
    });
  });

  describe('having the config digest of the image a container runs', () => {
    const RUNNING = `sha256:${'9f'.repeat(32)}`;

    it('keeps a verification whose signed manifest names that config', async () => {
      const w = world();
      w.registry.signatures.set(DIGEST, [w.sign('sig')]);
      w.registry.configDigests.set(DIGEST, [`sha256:${'11'.repeat(32)}`, RUNNING]);
      expect(await w.verification.verify(IMAGE, undefined, RUNNING)).toMatchObject({
        kind: 'verified',
      });
    });

    it('refuses a valid signature of a manifest that is another image, and warns', async () => {
      // The runtime reported a repo digest whose signed manifest is of some other image: the
      // signature is real, but it does not cover what runs.
      const w = world();
      w.registry.signatures.set(DIGEST, [w.sign('sig')]);
      w.registry.configDigests.set(DIGEST, [`sha256:${'11'.repeat(32)}`]);
      expect(await w.verification.verify(IMAGE, undefined, RUNNING)).toStrictEqual({
        kind: 'error',
        reason: `the signed manifest ${DIGEST} does not name the running image's config ${RUNNING}`,
      });
      expect(w.logger.records).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message:
            'image signature verification failed; omitting docker.image.signature.* attributes',
        }),
      );
    });

    it('leaves an outcome that is not verified as it is', async () => {
      const w = world();
      expect(await w.verification.verify(IMAGE, undefined, RUNNING)).toMatchObject({
        kind: 'not_signed',
      });
    });
  });

  describe('having provenance required', () => {
    const settings = { ...SETTINGS, skipProvenance: false };

    it('keeps the signature when an allowed signer attested SLSA provenance', async () => {
      const w = world(settings);
      w.registry.signatures.set(DIGEST, [w.sign('sig')]);
      w.sign('prov', RELEASE, 'https://slsa.dev/provenance/v1');
      w.registry.attestations.set(DIGEST, [
        {
          format: 'sigstore-bundle',
          predicateType: 'https://slsa.dev/provenance/v1',
          bundleJson: 'prov',
        },
      ]);
      expect(await w.verification.verify(IMAGE)).toMatchObject({ kind: 'verified' });
    });

    it('drops the signature without provenance', async () => {
      const w = world(settings);
      w.registry.signatures.set(DIGEST, [w.sign('sig')]);
      expect(await w.verification.verify(IMAGE)).toMatchObject({
        kind: 'not_signed',
        reason: 'no SLSA provenance attestation found for the image',
      });
    });

    it('says error when the signed statement names no predicate type', async () => {
      const w = world(settings);
      w.registry.signatures.set(DIGEST, [w.sign('sig')]);
      w.sign('untyped', RELEASE);
      w.registry.attestations.set(DIGEST, [
        {
          format: 'sigstore-bundle',
          predicateType: 'https://slsa.dev/provenance/v1',
          bundleJson: 'untyped',
        },
      ]);
      expect(await w.verification.verify(IMAGE)).toMatchObject({
        kind: 'error',
        reason: expect.stringContaining('predicate type is null, not SLSA provenance') as unknown,
      });
    });

    it('says error, naming why, when the provenance attestation does not verify', async () => {
      const w = world(settings);
      w.registry.signatures.set(DIGEST, [w.sign('sig')]);
      w.registry.attestations.set(DIGEST, [
        {
          format: 'sigstore-bundle',
          predicateType: 'https://slsa.dev/provenance/v1',
          bundleJson: 'tampered',
        },
      ]);
      expect(await w.verification.verify(IMAGE)).toMatchObject({
        kind: 'error',
        reason: expect.stringContaining('signature invalid') as unknown,
      });
    });

    it('trusts the signed predicate type, not the registry annotation', async () => {
      const w = world(settings);
      w.registry.signatures.set(DIGEST, [w.sign('sig')]);
      w.sign('not-provenance', RELEASE, 'https://example.com/other-predicate');
      w.registry.attestations.set(DIGEST, [
        {
          format: 'sigstore-bundle',
          predicateType: 'https://slsa.dev/provenance/v1',
          bundleJson: 'not-provenance',
        },
      ]);
      expect(await w.verification.verify(IMAGE)).toMatchObject({
        kind: 'error',
        reason: expect.stringContaining('not SLSA provenance') as unknown,
      });
    });
  });

  describe('.configure', () => {
    it('drops the cache', async () => {
      const w = world();
      w.registry.signatures.set(DIGEST, [w.sign('one')]);
      await w.verification.verify(IMAGE);
      w.verification.configure(SETTINGS);
      await w.verification.verify(IMAGE);
      expect(w.registry.calls).toBe(2);
    });
  });
});
