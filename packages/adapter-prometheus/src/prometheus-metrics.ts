import type {
  AttestationMetrics,
  AttestationOutcome,
  CacheLookupResult,
  ReloadResult,
  VerificationResultClass,
} from '@attestor/ports';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Metric names: the four sigstore ones are the specification's; the attestation ones are attestor's. */
export const METRIC_NAMES = {
  verificationTotal: 'spirl_agent_sigstore_image_verification_total',
  verificationDuration: 'spirl_agent_sigstore_image_verification_duration_seconds',
  signatureCount: 'spirl_agent_sigstore_signature_count',
  cacheTotal: 'spirl_agent_sigstore_verification_cache_total',
  attestationsTotal: 'attestor_workload_attestations_total',
  attestationDuration: 'attestor_workload_attestation_duration_seconds',
  reloadsTotal: 'attestor_configuration_reloads_total',
} as const;

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The AttestationMetrics port on prom-client, registered in the Registry it is given (never
 * the global one), every series labelled with its attestor (for example `docker`).
 */
export class PrometheusMetrics implements AttestationMetrics {
  readonly #attestations: Counter<'outcome' | 'attestor' | 'error_code'>;
  readonly #reloads: Counter<'result'>;
  readonly #attestationDuration: Histogram<'outcome' | 'attestor'>;
  readonly #verifications: Counter<'result' | 'attestor'>;
  readonly #verificationDuration: Histogram<'result' | 'attestor'>;
  readonly #signatureCount: Histogram<'attestor'>;
  readonly #cacheLookups: Counter<'result' | 'attestor'>;

  constructor(
    registry: Registry,
    private readonly attestor: string,
  ) {
    const registers = [registry];
    this.#attestations = new Counter({
      name: METRIC_NAMES.attestationsTotal,
      help: 'Workload attestations, by outcome (attested, not_in_container, error); errors also by error_code.',
      labelNames: ['outcome', 'attestor', 'error_code'],
      registers,
    });
    this.#reloads = new Counter({
      name: METRIC_NAMES.reloadsTotal,
      help: 'Configuration reloads, by result: applied, or rejected (the last good configuration kept).',
      labelNames: ['result'],
      registers,
    });
    this.#attestationDuration = new Histogram({
      name: METRIC_NAMES.attestationDuration,
      help: 'Time to attest one workload, by outcome.',
      labelNames: ['outcome', 'attestor'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#verifications = new Counter({
      name: METRIC_NAMES.verificationTotal,
      help: 'Sigstore image verification attempts, by result.',
      labelNames: ['result', 'attestor'],
      registers,
    });
    this.#verificationDuration = new Histogram({
      name: METRIC_NAMES.verificationDuration,
      help: 'Time taken by each Sigstore image verification, by result.',
      labelNames: ['result', 'attestor'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#signatureCount = new Histogram({
      name: METRIC_NAMES.signatureCount,
      help: 'Valid signatures found per image, recorded only on successful verification.',
      labelNames: ['attestor'],
      buckets: [1, 2, 3, 5, 10, 20],
      registers,
    });
    this.#cacheLookups = new Counter({
      name: METRIC_NAMES.cacheTotal,
      help: 'Sigstore verification cache lookups, by result (hit or miss).',
      labelNames: ['result', 'attestor'],
      registers,
    });
  }

  attestation(outcome: AttestationOutcome, durationSeconds: number, errorCode?: string): void {
    this.#attestations.inc({
      outcome,
      attestor: this.attestor,
      ...(outcome === 'error' ? { error_code: errorCode ?? 'internal' } : {}),
    });
    this.#attestationDuration.observe({ outcome, attestor: this.attestor }, durationSeconds);
  }

  sigstoreVerification(result: VerificationResultClass, durationSeconds: number): void {
    this.#verifications.inc({ result, attestor: this.attestor });
    this.#verificationDuration.observe({ result, attestor: this.attestor }, durationSeconds);
  }

  sigstoreSignatureCount(count: number): void {
    this.#signatureCount.observe({ attestor: this.attestor }, count);
  }

  sigstoreCacheLookup(result: CacheLookupResult): void {
    this.#cacheLookups.inc({ result, attestor: this.attestor });
  }

  configurationReload(result: ReloadResult): void {
    this.#reloads.inc({ result });
  }
}
