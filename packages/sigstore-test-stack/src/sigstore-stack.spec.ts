import 'reflect-metadata';

import { X509Certificate } from '@peculiar/x509';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';

import {
  buildTrustedRoot,
  OID_SCT_LIST,
  signArtifact,
  TestCertificateAuthority,
  TestCtLog,
  TestTransparencyLog,
} from './index.js';

const IDENTITY = {
  subject: 'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};

async function stack() {
  const ca = await TestCertificateAuthority.create();
  const log = new TestTransparencyLog('rekor.test.invalid');
  const trustedRoot = buildTrustedRoot({ ca, log, logBaseUrl: 'https://rekor.test.invalid' });
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), {
    ctlogThreshold: 0,
  });
  return { ca, log, verifier };
}

describe('offline Sigstore test stack', () => {
  it('produces bundles that sigstore-js verifies, with the signer identity of the certificate', async () => {
    const { ca, log, verifier } = await stack();
    // A few entries first, so that the inclusion proof has a real audit path.
    for (let index = 0; index < 5; index++)
      await signArtifact(Buffer.from(`other ${String(index)}`), IDENTITY, ca, log);
    const artifact = Buffer.from('{"critical":{"image":{"docker-manifest-digest":"sha256:abc"}}}');
    const { bundle } = await signArtifact(artifact, IDENTITY, ca, log);
    const signer = verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact));
    expect(signer.identity?.subjectAlternativeName).toBe(IDENTITY.subject);
    expect(signer.identity?.extensions?.issuer).toBe(IDENTITY.issuer);
  });

  it('is rejected by sigstore-js when the artifact differs', async () => {
    const { ca, log, verifier } = await stack();
    const { bundle } = await signArtifact(Buffer.from('original'), IDENTITY, ca, log);
    expect(() =>
      verifier.verify(toSignedEntity(bundleFromJSON(bundle), Buffer.from('tampered'))),
    ).toThrow(expect.objectContaining({ code: 'SIGNATURE_ERROR' }));
  });

  it('is rejected when the log is not trusted', async () => {
    const { ca, log } = await stack();
    const { bundle } = await signArtifact(Buffer.from('artifact'), IDENTITY, ca, log);
    const otherLog = new TestTransparencyLog('rekor.test.invalid');
    const verifier = new Verifier(
      toTrustMaterial(
        TrustedRoot.fromJSON(
          buildTrustedRoot({ ca, log: otherLog, logBaseUrl: 'https://rekor.test.invalid' }),
        ),
      ),
      { ctlogThreshold: 0 },
    );
    expect(() =>
      verifier.verify(toSignedEntity(bundleFromJSON(bundle), Buffer.from('artifact'))),
    ).toThrow(expect.objectContaining({ code: 'TLOG_INCLUSION_PROMISE_ERROR' }));
  });

  it('is rejected when the CA is not trusted', async () => {
    const { log } = await stack();
    const rogue = await TestCertificateAuthority.create();
    const trusted = await TestCertificateAuthority.create();
    const { bundle } = await signArtifact(Buffer.from('artifact'), IDENTITY, rogue, log);
    const verifier = new Verifier(
      toTrustMaterial(
        TrustedRoot.fromJSON(
          buildTrustedRoot({ ca: trusted, log, logBaseUrl: 'https://rekor.test.invalid' }),
        ),
      ),
      { ctlogThreshold: 0 },
    );
    expect(() =>
      verifier.verify(toSignedEntity(bundleFromJSON(bundle), Buffer.from('artifact'))),
    ).toThrow(/certificate/i);
  });

  describe('with a CT log', () => {
    it('embeds an SCT that sigstore-js verifies against the CT log of the trusted root', async () => {
      const ctLog = new TestCtLog();
      const ca = await TestCertificateAuthority.create(undefined, { ctLog });
      const log = new TestTransparencyLog('rekor.test.invalid');
      const verifier = new Verifier(
        toTrustMaterial(
          TrustedRoot.fromJSON(
            buildTrustedRoot({ ca, log, ctLog, logBaseUrl: 'https://rekor.test.invalid' }),
          ),
        ),
        { ctlogThreshold: 1 },
      );
      const { bundle, certificatePem } = await signArtifact(
        Buffer.from('artifact'),
        IDENTITY,
        ca,
        log,
      );
      expect(new X509Certificate(certificatePem).getExtension(OID_SCT_LIST)).not.toBeNull();
      const signer = verifier.verify(
        toSignedEntity(bundleFromJSON(bundle), Buffer.from('artifact')),
      );
      expect(signer.identity?.subjectAlternativeName).toBe(IDENTITY.subject);
    });

    it('is rejected when the trusted root lists a CT log and the certificate has no SCT', async () => {
      const { ca, log } = await stack();
      const verifier = new Verifier(
        toTrustMaterial(
          TrustedRoot.fromJSON(
            buildTrustedRoot({
              ca,
              log,
              ctLog: new TestCtLog(),
              logBaseUrl: 'https://rekor.test.invalid',
            }),
          ),
        ),
        { ctlogThreshold: 1 },
      );
      const { bundle } = await signArtifact(Buffer.from('artifact'), IDENTITY, ca, log);
      expect(() =>
        verifier.verify(toSignedEntity(bundleFromJSON(bundle), Buffer.from('artifact'))),
      ).toThrow('expected 1 SCTs, got 0');
    });
  });
});
