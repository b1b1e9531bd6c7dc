import { createHash, generateKeyPairSync } from 'node:crypto';

import { SignatureVerificationError } from '@attestor/ports';
import {
  asBundleVersion,
  buildTrustedRoot,
  imageStatement,
  signArtifact,
  signArtifactRekorV2,
  signArtifactWithKey,
  signStatement,
  TestCertificateAuthority,
  TestTimestampAuthority,
  TestTransparencyLog,
} from '@attestor/sigstore-test-stack';
import { thrown } from '@attestor/testing';
import { beforeAll, describe, expect, it } from 'vitest';

import { type BundleVerificationRequest, verifySigstoreBundle } from './verify-bundle.js';

const IDENTITY = {
  subject: 'https://ci.example/release@refs/heads/main',
  issuer: 'https://issuer.example',
};

describe(verifySigstoreBundle, () => {
  let ca: TestCertificateAuthority;
  let log: TestTransparencyLog;
  let trustedRootJson: unknown;
  beforeAll(async () => {
    ca = await TestCertificateAuthority.create();
    log = new TestTransparencyLog('rekor.test.invalid');
    trustedRootJson = buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' });
  });
  const keyless = { certificateIdentity: IDENTITY.subject, certificateOidcIssuer: IDENTITY.issuer };

  it('verifies a message-signature bundle over an artifact, or over its digest alone', async () => {
    const artifact = Buffer.from('release tarball');
    const { bundle } = await signArtifact(artifact, IDENTITY, ca, log);
    const bundleJson = JSON.stringify(bundle);
    const verify = (artifactOrDigest: BundleVerificationRequest['artifact'], json = bundleJson) => {
      verifySigstoreBundle({
        bundleJson: json,
        artifact: artifactOrDigest,
        signer: keyless,
        trustedRootJson,
      });
    };
    expect(() => {
      verify({ bytes: artifact });
    }).not.toThrow();
    // The conformance protocol's digest form: the signature is checked over the digest.
    const sha256Hex = createHash('sha256').update(artifact).digest('hex');
    expect(() => {
      verify({ sha256Hex });
    }).not.toThrow();
    expect(() => {
      verify({ sha256Hex: sha256Hex.toUpperCase() });
    }).not.toThrow();
    // Another digest, or the right digest with a signature that is not over it, is refused.
    expect(
      thrown(SignatureVerificationError, () => {
        verify({ sha256Hex: 'c'.repeat(64) });
      }),
    ).toMatchObject({
      code: 'digest_mismatch',
      message: expect.stringContaining('the bundle signs another artifact') as unknown,
    });
    const other = (await signArtifact(Buffer.from('another tarball'), IDENTITY, ca, log)).bundle;
    const swapped = JSON.parse(bundleJson) as {
      messageSignature: { signature: string };
    };
    swapped.messageSignature.signature = (
      other as unknown as { messageSignature: { signature: string } }
    ).messageSignature.signature;
    expect(
      thrown(SignatureVerificationError, () => {
        verify({ sha256Hex }, JSON.stringify(swapped));
      }),
    ).toMatchObject({
      code: 'transparency_log_invalid',
      message: expect.stringMatching(/signature/i) as unknown,
    });
  });

  it.each(['0.1', '0.2'] as const)(
    'verifies a bundle v%s (certificate chain, Rekor v1 entry), and refuses another artifact',
    async (version) => {
      const artifact = Buffer.from(`release tarball ${version}`);
      const { bundle } = await signArtifact(artifact, IDENTITY, ca, log);
      const bundleJson = JSON.stringify(asBundleVersion(bundle, version));
      expect(bundleJson).toContain(`bundle+json;version=${version}`);
      const verify = (bytes: Buffer) => {
        verifySigstoreBundle({ bundleJson, artifact: { bytes }, signer: keyless, trustedRootJson });
      };
      expect(() => {
        verify(artifact);
      }).not.toThrow();
      expect(
        thrown(SignatureVerificationError, () => {
          verify(Buffer.from('another'));
        }),
      ).toMatchObject({
        code: 'invalid_signature',
      });
    },
  );

  it('verifies a DSSE bundle whose statement names the artifact', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const { bundle } = await signStatement(
      imageStatement('x', digest, 'https://slsa.dev/provenance/v1'),
      IDENTITY,
      ca,
      log,
    );
    expect(() => {
      verifySigstoreBundle({
        bundleJson: JSON.stringify(bundle),
        artifact: { sha256Hex: 'a'.repeat(64) },
        signer: keyless,
        trustedRootJson,
      });
    }).not.toThrow();
    expect(
      thrown(SignatureVerificationError, () => {
        verifySigstoreBundle({
          bundleJson: JSON.stringify(bundle),
          artifact: { sha256Hex: 'b'.repeat(64) },
          signer: keyless,
          trustedRootJson,
        });
      }),
    ).toMatchObject({
      code: 'digest_mismatch',
      message: expect.stringContaining('does not name the artifact') as unknown,
    });
  });

  it.each([
    [
      'another identity',
      { certificateIdentity: 'https://ci.example/other', certificateOidcIssuer: IDENTITY.issuer },
    ],
    [
      'another issuer',
      {
        certificateIdentity: IDENTITY.subject,
        certificateOidcIssuer: 'https://issuer.example.evil',
      },
    ],
    [
      'a prefix of the identity',
      { certificateIdentity: 'https://ci.example/release', certificateOidcIssuer: IDENTITY.issuer },
    ],
  ])('refuses %s', async (_name, signer) => {
    const artifact = Buffer.from('release tarball');
    const { bundle } = await signArtifact(artifact, IDENTITY, ca, log);
    expect(
      thrown(SignatureVerificationError, () => {
        verifySigstoreBundle({
          bundleJson: JSON.stringify(bundle),
          artifact: { bytes: artifact },
          signer,
          trustedRootJson,
        });
      }),
    ).toMatchObject({
      code: 'identity_mismatch',
    });
  });

  it('refuses another artifact', async () => {
    const { bundle } = await signArtifact(Buffer.from('release tarball'), IDENTITY, ca, log);
    expect(
      thrown(SignatureVerificationError, () => {
        verifySigstoreBundle({
          bundleJson: JSON.stringify(bundle),
          artifact: { bytes: Buffer.from('other') },
          signer: keyless,
          trustedRootJson,
        });
      }),
    ).toMatchObject({
      code: 'invalid_signature',
    });
  });

  it('verifies a key-based bundle with the key, and refuses another key', () => {
    const artifact = Buffer.from('release tarball');
    const keyPem = (): string =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
    const { bundle, publicKeyPem } = signArtifactWithKey(artifact, keyPem(), log);
    const bundleJson = JSON.stringify(bundle);
    expect(() => {
      verifySigstoreBundle({
        bundleJson,
        artifact: { bytes: artifact },
        signer: { publicKeyPem },
        trustedRootJson,
      });
    }).not.toThrow();
    const other = signArtifactWithKey(artifact, keyPem(), log).publicKeyPem;
    expect(
      thrown(SignatureVerificationError, () => {
        verifySigstoreBundle({
          bundleJson,
          artifact: { bytes: artifact },
          signer: { publicKeyPem: other },
          trustedRootJson,
        });
      }),
    ).toMatchObject({
      code: 'invalid_signature',
    });
  });

  describe('having a Rekor v2 entry and an RFC 3161 timestamp', () => {
    let tsa: TestTimestampAuthority;
    let withTsa: unknown;
    beforeAll(async () => {
      tsa = await TestTimestampAuthority.create();
      withTsa = buildTrustedRoot({
        ca,
        log,
        timestampAuthority: tsa,
        logBaseUrl: 'https://rekor.test.invalid',
      });
    });
    const verify = (bundle: Record<string, unknown>, artifact: Buffer, root: unknown): void => {
      verifySigstoreBundle({
        bundleJson: JSON.stringify(bundle),
        artifact: { bytes: artifact },
        signer: keyless,
        trustedRootJson: root,
      });
    };

    it('verifies the inclusion proof and takes the signing time from the timestamp', async () => {
      const artifact = Buffer.from('release tarball, rekor v2');
      const { bundle } = await signArtifactRekorV2(artifact, IDENTITY, ca, log, tsa);
      expect(() => {
        verify(bundle, artifact, withTsa);
      }).not.toThrow();
    });

    it('refuses it when the trusted root lists no timestamp authority: nothing says when it was signed', async () => {
      const artifact = Buffer.from('release tarball, rekor v2');
      const { bundle } = await signArtifactRekorV2(artifact, IDENTITY, ca, log, tsa);
      expect(
        thrown(SignatureVerificationError, () => {
          verify(bundle, artifact, trustedRootJson);
        }),
      ).toMatchObject({
        code: 'timestamp_invalid',
        message: expect.stringContaining('timestamp') as unknown,
      });
    });

    it('refuses a timestamp from another authority', async () => {
      const artifact = Buffer.from('release tarball, rekor v2');
      const rogue = await TestTimestampAuthority.create();
      const { bundle } = await signArtifactRekorV2(artifact, IDENTITY, ca, log, rogue);
      expect(
        thrown(SignatureVerificationError, () => {
          verify(bundle, artifact, withTsa);
        }),
      ).toMatchObject({
        code: 'timestamp_invalid',
        message: expect.stringContaining('timestamp could not be verified') as unknown,
      });
    });

    it('refuses a timestamp over another signature', async () => {
      const artifact = Buffer.from('release tarball, rekor v2');
      const { bundle } = await signArtifactRekorV2(artifact, IDENTITY, ca, log, tsa);
      const other = await signArtifactRekorV2(Buffer.from('other'), IDENTITY, ca, log, tsa);
      const material = (b: Record<string, unknown>) =>
        b['verificationMaterial'] as Record<string, unknown>;
      material(bundle)['timestampVerificationData'] = material(other.bundle)[
        'timestampVerificationData'
      ];
      expect(
        thrown(SignatureVerificationError, () => {
          verify(bundle, artifact, withTsa);
        }),
      ).toMatchObject({
        code: 'timestamp_invalid',
        message: expect.stringContaining('timestamp could not be verified') as unknown,
      });
    });

    it('refuses an entry whose log body names another signature', async () => {
      const artifact = Buffer.from('release tarball, rekor v2');
      const { bundle } = await signArtifactRekorV2(artifact, IDENTITY, ca, log, tsa);
      const other = await signArtifactRekorV2(artifact, IDENTITY, ca, log, tsa);
      const material = (b: Record<string, unknown>) =>
        b['verificationMaterial'] as Record<string, unknown>;
      material(bundle)['tlogEntries'] = material(other.bundle)['tlogEntries'];
      expect(
        thrown(SignatureVerificationError, () => {
          verify(bundle, artifact, withTsa);
        }),
      ).toMatchObject({
        code: 'transparency_log_invalid',
      });
    });
  });
});
