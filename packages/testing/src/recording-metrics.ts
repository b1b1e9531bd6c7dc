import type {
  AttestationMetrics,
  AttestationOutcome,
  CacheLookupResult,
  ReloadResult,
  VerificationResultClass,
} from '@attestor/ports';

/** Metrics that remember every observation. */
export class RecordingMetrics implements AttestationMetrics {
  readonly attestations: {
    outcome: AttestationOutcome;
    durationSeconds: number;
    errorCode?: string;
  }[] = [];
  readonly reloads: ReloadResult[] = [];
  readonly verifications: { result: VerificationResultClass; durationSeconds: number }[] = [];
  readonly signatureCounts: number[] = [];
  readonly cacheLookups: CacheLookupResult[] = [];

  attestation(outcome: AttestationOutcome, durationSeconds: number, errorCode?: string): void {
    this.attestations.push({
      outcome,
      durationSeconds,
      ...(errorCode === undefined ? {} : { errorCode }),
    });
  }

  configurationReload(result: ReloadResult): void {
    this.reloads.push(result);
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
