import {
  RemoteServiceError,
  type SignerIdentity,
  type VerificationResultClass,
  type VerifiedSignature,
} from '@attestor/ports';

import type { IdentityPolicy } from './identity-policy.js';

/**
 * The outcome of verifying one image, one variant per result class of the specification.
 * Every failure carries a reason for the warning log line.
 */
export type VerificationOutcome =
  | {
      readonly kind: 'verified';
      /** The first valid signature whose signer the policy allows. */
      readonly signature: VerifiedSignature;
      /** How many valid, allowed signatures were found. */
      readonly signatureCount: number;
      /** Who attested the SLSA provenance that was required (absent when skipProvenance). */
      readonly provenanceSigner?: SignerIdentity;
      /**
       * The image config digests the signed manifest names (its platform manifests', for an
       * index): a container's image is covered only if its config digest is one of them.
       */
      readonly imageConfigDigests?: readonly string[];
    }
  | { readonly kind: Exclude<VerificationResultClass, 'verified'>; readonly reason: string };

/** What the signature step found: how many candidates, which verified, why the others failed. */
export interface SignatureEvidence {
  readonly found: number;
  readonly verified: readonly VerifiedSignature[];
  /** One reason per candidate that failed cryptographic verification. */
  readonly failures: readonly string[];
}

/** What the provenance step found: the signers of the valid SLSA provenance attestations. */
export interface ProvenanceEvidence {
  readonly found: number;
  readonly verifiedSigners: readonly SignerIdentity[];
  readonly failures: readonly string[];
}

function describeSigners(signers: readonly SignerIdentity[]): string {
  return signers.map((signer) => `${signer.subject} (issuer ${signer.issuer})`).join(', ');
}

function summarize(failures: readonly string[]): string {
  const shown = failures.slice(0, 3).join('; ');
  return failures.length > 3 ? `${shown}; and ${String(failures.length - 3)} more` : shown;
}

/**
 * Decides the signature outcome: not_signed when there is no candidate at all, verified with the
 * first allowed valid signature, identity_mismatch when valid signatures exist but none from an
 * allowed signer, error when no candidate verified.
 */
export function decideSignatures(
  evidence: SignatureEvidence,
  policy: IdentityPolicy,
): VerificationOutcome {
  if (evidence.found === 0)
    return { kind: 'not_signed', reason: 'no signature found for the image' };
  const allowed = evidence.verified.filter(
    (signature) => policy.evaluate(signature.signer).allowed,
  );
  const first = allowed[0];
  if (first !== undefined)
    return { kind: 'verified', signature: first, signatureCount: allowed.length };
  if (evidence.verified.length > 0) {
    return {
      kind: 'identity_mismatch',
      reason: `no signer matches allowedIdentities; signed by ${describeSigners(evidence.verified.map((s) => s.signer))}`,
    };
  }
  return {
    kind: 'error',
    reason: `none of ${String(evidence.found)} signature(s) verified: ${summarize(evidence.failures)}`,
  };
}

/**
 * Applies the provenance requirement (skipProvenance: false) to a verified signature outcome:
 * a valid SLSA provenance attestation signed by an allowed identity must exist, or the whole
 * signature outcome is rejected.
 */
export function requireProvenance(
  outcome: VerificationOutcome,
  evidence: ProvenanceEvidence,
  policy: IdentityPolicy,
): VerificationOutcome {
  if (outcome.kind !== 'verified') return outcome;
  if (evidence.found === 0) {
    return { kind: 'not_signed', reason: 'no SLSA provenance attestation found for the image' };
  }
  const provenanceSigner = evidence.verifiedSigners.find(
    (signer) => policy.evaluate(signer).allowed,
  );
  if (provenanceSigner !== undefined) return { ...outcome, provenanceSigner };
  if (evidence.verifiedSigners.length > 0) {
    return {
      kind: 'identity_mismatch',
      reason: `no provenance signer matches allowedIdentities; signed by ${describeSigners(evidence.verifiedSigners)}`,
    };
  }
  return {
    kind: 'error',
    reason: `none of ${String(evidence.found)} provenance attestation(s) verified: ${summarize(evidence.failures)}`,
  };
}

function isAbortLike(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && error.name === name;
}

/** Classifies an exception raised while verifying into a result class of the specification. */
export function classifyFailure(error: unknown): VerificationOutcome {
  const reason = error instanceof Error ? error.message : String(error);
  if (RemoteServiceError.is(error)) {
    switch (error.code) {
      case 'network_error':
        return { kind: 'network_error', reason };
      case 'timeout':
        return { kind: 'timeout', reason };
      case 'cancelled':
        return { kind: 'cancelled', reason };
      case 'bad_response':
      case 'too_large':
        return { kind: 'error', reason };
    }
  }
  if (isAbortLike(error, 'TimeoutError')) return { kind: 'timeout', reason };
  if (isAbortLike(error, 'AbortError')) return { kind: 'cancelled', reason };
  return { kind: 'error', reason };
}
