import {
  buildTrustedRoot,
  signImageLegacy,
  TestCertificateAuthority,
  TestTransparencyLog,
} from '@attestor/sigstore-test-stack';
import { beforeAll, describe, expect, it } from 'vitest';

import { SigstoreSignatureVerifier } from './sigstore-signature-verifier.js';
import { TrustedRootError, trustMaterialFrom } from './trusted-root.js';

const IDENTITY = {
  subject: 'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};
const IMAGE = '127.0.0.1:5000/team/app';
const DIGEST = `sha256:${'a1'.repeat(32)}`;

interface Validity {
  start?: string;
  end?: string;
}

/** The parts of a trusted_root.json the tests change. */
interface RootJson {
  mediaType: string;
  tlogs: { publicKey: { rawBytes?: string; validFor?: Validity }; logId?: unknown }[];
  certificateAuthorities: { validFor: Validity; certChain: { certificates: unknown[] } }[];
}

/** A deep copy of `root` with `change` applied to its first log and authority. */
function changed(
  root: RootJson,
  change: (
    copy: RootJson,
    log: RootJson['tlogs'][number],
    ca: RootJson['certificateAuthorities'][number],
  ) => void,
): RootJson {
  const copy = structuredClone(root);
  const [log] = copy.tlogs;
  const [ca] = copy.certificateAuthorities;
  if (log === undefined || ca === undefined) throw new Error('the test root has no log or CA');
  change(copy, log, ca);
  return copy;
}

function refusal(json: unknown): TrustedRootError {
  try {
    trustMaterialFrom(json);
  } catch (error) {
    if (TrustedRootError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a TrustedRootError');
}

describe(trustMaterialFrom, () => {
  let ca: TestCertificateAuthority;
  let log: TestTransparencyLog;
  let root: RootJson;
  beforeAll(async () => {
    ca = await TestCertificateAuthority.create();
    log = new TestTransparencyLog('rekor.test.invalid');
    root = buildTrustedRoot({
      ca,
      log,
      logBaseUrl: 'https://rekor.test.invalid',
    }) as unknown as RootJson;
  });

  it('accepts a well-formed root', () => {
    expect(trustMaterialFrom(root).tlogs).toHaveLength(1);
  });

  it.each<[string, Parameters<typeof changed>[1], string]>([
    [
      'a transparency log key without validFor.start',
      (_copy, tlog) => {
        delete tlog.publicKey.validFor?.start;
      },
      'tlogs[0].publicKey.validFor.start is missing: a key or authority with no start would be valid for every time',
    ],
    [
      'a transparency log key without validFor at all',
      (_copy, tlog) => {
        delete tlog.publicKey.validFor;
      },
      'tlogs[0].publicKey.validFor.start is missing: a key or authority with no start would be valid for every time',
    ],
    [
      'a certificate authority without validFor.start',
      (_copy, _tlog, authority) => {
        delete authority.validFor.start;
      },
      'certificateAuthorities[0].validFor.start is missing: a key or authority with no start would be valid for every time',
    ],
    [
      'a validity that ends before it starts',
      (_copy, _tlog, authority) => {
        authority.validFor.end = '2000-01-01T00:00:00Z';
      },
      'certificateAuthorities[0].validFor ends before it starts',
    ],
    [
      'a certificate authority without certificates',
      (_copy, _tlog, authority) => {
        authority.certChain.certificates = [];
      },
      'certificateAuthorities[0].certChain has no certificate',
    ],
    [
      'a log key without raw bytes',
      (_copy, tlog) => {
        delete tlog.publicKey.rawBytes;
      },
      'tlogs[0].publicKey.rawBytes is missing',
    ],
    [
      'a log without a log ID',
      (_copy, tlog) => {
        delete tlog.logId;
      },
      'tlogs[0].logId.keyId is missing',
    ],
    [
      'another media type',
      (copy) => {
        copy.mediaType = 'application/json';
      },
      'mediaType must be one of application/vnd.dev.sigstore.trustedroot+json;version=0.1, application/vnd.dev.sigstore.trustedroot.v0.2+json, got "application/json"',
    ],
  ])('refuses %s, naming the field', (_case, change, message) => {
    const error = refusal(changed(root, change));
    expect(error.code).toBe('invalid_trusted_root');
    expect(error.message).toBe(message);
  });

  it('keeps a validity end inclusive: a signature logged at the end instant verifies', async () => {
    const signed = {
      format: 'cosign-legacy' as const,
      ...(await signImageLegacy(IMAGE, DIGEST, IDENTITY, ca, log)),
    };
    const integratedTime = (
      JSON.parse(signed.rekorBundleJson) as { Payload: { integratedTime: number } }
    ).Payload.integratedTime;
    const end = new Date(integratedTime * 1000).toISOString();
    const endingThen = changed(root, (_copy, tlog) => {
      tlog.publicKey.validFor = { ...tlog.publicKey.validFor, end };
    });
    const verifier = new SigstoreSignatureVerifier(endingThen);
    await expect(
      verifier.verify(signed, DIGEST, { requireTransparencyLog: true }),
    ).resolves.toMatchObject({ signer: IDENTITY });
    const endedBefore = changed(root, (_copy, tlog) => {
      tlog.publicKey.validFor = {
        ...tlog.publicKey.validFor,
        end: new Date(integratedTime * 1000 - 1000).toISOString(),
      };
    });
    await expect(
      new SigstoreSignatureVerifier(endedBefore).verify(signed, DIGEST, {
        requireTransparencyLog: true,
      }),
    ).rejects.toThrow('inclusion promise could not be verified');
  });
});
