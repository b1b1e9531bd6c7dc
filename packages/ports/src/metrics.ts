import type { VerificationResultClass } from './signature-verifier.js';

export type AttestationOutcome = 'attested' | 'not_in_container' | 'error';
export type CacheLookupResult = 'hit' | 'miss';

/**
 * What the attestor counts. Every observation is for one attestor (for example `docker`),
 * which the implementation adds as the `attestor` label.
 */
export interface AttestationMetrics {
  attestation(outcome: AttestationOutcome, durationSeconds: number): void;
  sigstoreVerification(result: VerificationResultClass, durationSeconds: number): void;
  /** Recorded only when verification succeeded. */
  sigstoreSignatureCount(count: number): void;
  sigstoreCacheLookup(result: CacheLookupResult): void;
}
