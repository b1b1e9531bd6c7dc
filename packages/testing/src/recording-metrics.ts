import type {
  AttestationMetrics,
  AttestationOutcome,
  CacheLookupResult,
  VerificationResultClass,
} from '@attestor/ports';

/** Metrics that remember every observation. */
export class RecordingMetrics implements AttestationMetrics {
  readonly attestations: { outcome: AttestationOutcome; durationSeconds: number }[] = [];
  readonly verifications: { result: VerificationResultClass; durationSeconds: number }[] = [];
  readonly signatureCounts: number[] = [];
  readonly cacheLookups: CacheLookupResult[] = [];

  attestation(outcome: AttestationOutcome, durationSeconds: number): void {
    this.attestations.push({ outcome, durationSeconds });
  }

  sigstoreVerification(result: VerificationResultClass, durationSeconds: number): void {
    this.verifications.push({ result, durationSeconds });
  }

  sigstoreSignatureCount(count: number): void {
    this.signatureCounts.push(count);
  }

  sigstoreCacheLookup(result: CacheLookupResult): void {
    this.cacheLookups.push(result);
  }
}
