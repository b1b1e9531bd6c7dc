import { RemoteServiceError, type VerifiedSignature } from '@attestor/ports';
import { describe, expect, it } from 'vitest';

import { IdentityPolicy } from './identity-policy.js';
import { classifyFailure, decideSignatures, requireProvenance } from './verification-outcome.js';

const ISSUER = 'https://issuer.example';
const policy = new IdentityPolicy(new Map([[ISSUER, ['https://ci.example/release@*']]]));
const signed = (subject: string, issuer = ISSUER): VerifiedSignature => ({
  signer: { issuer, subject },
  signatureBase64: Buffer.from(subject).toString('base64'),
});
const good = signed('https://ci.example/release@v1');
const good2 = signed('https://ci.example/release@v2');
const stranger = signed('mallory@example.com');

describe(decideSignatures, () => {
  it('returns not_signed without candidates', () => {
    expect(decideSignatures({ found: 0, verified: [], failures: [] }, policy)).toMatchObject({
      kind: 'not_signed',
    });
  });

  it('returns the first allowed signature and counts the allowed ones', () => {
    expect(
      decideSignatures({ found: 3, verified: [stranger, good, good2], failures: [] }, policy),
    ).toStrictEqual({
      kind: 'verified',
      signature: good,
      signatureCount: 2,
    });
  });

  it('returns identity_mismatch naming the signers when none is allowed', () => {
    const outcome = decideSignatures({ found: 1, verified: [stranger], failures: [] }, policy);
    expect(outcome).toMatchObject({ kind: 'identity_mismatch' });
    expect(outcome).toHaveProperty(
      'reason',
      expect.stringContaining('mallory@example.com (issuer https://issuer.example)'),
    );
  });

  it('returns error with the failures when nothing verified', () => {
    const failures = ['a', 'b', 'c', 'd', 'e'];
    expect(decideSignatures({ found: 5, verified: [], failures }, policy)).toStrictEqual({
      kind: 'error',
      reason: 'none of 5 signature(s) verified: a; b; c; and 2 more',
    });
  });
});

describe(requireProvenance, () => {
  const verified = decideSignatures({ found: 1, verified: [good], failures: [] }, policy);

  it('keeps a verified outcome when an allowed signer attested provenance', () => {
    expect(
      requireProvenance(
        verified,
        { found: 1, verifiedSigners: [good.signer], failures: [] },
        policy,
      ),
    ).toStrictEqual({ ...verified, provenanceSigner: good.signer });
  });

  it('rejects the whole outcome without provenance', () => {
    expect(
      requireProvenance(verified, { found: 0, verifiedSigners: [], failures: [] }, policy),
    ).toMatchObject({
      kind: 'not_signed',
      reason: 'no SLSA provenance attestation found for the image',
    });
  });

  it('rejects provenance from a signer outside the policy', () => {
    expect(
      requireProvenance(
        verified,
        { found: 1, verifiedSigners: [stranger.signer], failures: [] },
        policy,
      ),
    ).toMatchObject({
      kind: 'identity_mismatch',
    });
  });

  it('rejects provenance that did not verify', () => {
    expect(
      requireProvenance(
        verified,
        { found: 1, verifiedSigners: [], failures: ['bad envelope'] },
        policy,
      ),
    ).toStrictEqual({
      kind: 'error',
      reason: 'none of 1 provenance attestation(s) verified: bad envelope',
    });
  });

  it('passes failures through', () => {
    const failed = { kind: 'timeout', reason: 'slow' } as const;
    expect(requireProvenance(failed, { found: 0, verifiedSigners: [], failures: [] }, policy)).toBe(
      failed,
    );
  });
});

describe(classifyFailure, () => {
  it.each([
    [new RemoteServiceError('network_error', 'rekor', 'connection reset'), 'network_error'],
    [new RemoteServiceError('timeout', 'registry', 'took too long'), 'timeout'],
    [new RemoteServiceError('cancelled', 'registry', 'client went away'), 'cancelled'],
    [new RemoteServiceError('bad_response', 'registry', 'not JSON'), 'error'],
    [new RemoteServiceError('too_large', 'registry', 'manifest over 4 MiB'), 'error'],
    [new DOMException('deadline', 'TimeoutError'), 'timeout'],
    [new DOMException('aborted', 'AbortError'), 'cancelled'],
    [new Error('certificate chain invalid'), 'error'],
    ['a string', 'error'],
  ])('classifies %s as %s', (error, kind) => {
    expect(classifyFailure(error).kind).toBe(kind);
  });

  it('keeps the message as the reason', () => {
    expect(classifyFailure(new Error('certificate chain invalid'))).toStrictEqual({
      kind: 'error',
      reason: 'certificate chain invalid',
    });
  });
});
