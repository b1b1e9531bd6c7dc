import type { VerificationResultClass } from './signature-verifier.js';

export type AttestationOutcome = 'attested' | 'not_in_container' | 'error';
export type CacheLookupResult = 'hit' | 'miss';
export type ReloadResult = 'applied' | 'rejected';

/**
 * What the attestor counts. Every observation is for one attestor (for example `docker`),
 * which the implementation adds as the `attestor` label.
 */
export interface AttestationMetrics {
  /** `errorCode`: for outcome `error`, the attestation error's code (`internal` for a bug). */
  attestation(outcome: AttestationOutcome, durationSeconds: number, errorCode?: string): void;
  sigstoreVerification(result: VerificationResultClass, durationSeconds: number): void;
  /** Recorded only when verification succeeded. */
  sigstoreSignatureCount(count: number): void;
  sigstoreCacheLookup(result: CacheLookupResult): void;
  /** A configuration reload, applied or rejected (the last good configuration kept). */
  configurationReload(result: ReloadResult): void;
}
