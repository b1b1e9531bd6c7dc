import {
  type AttestationMetrics,
  type Clock,
  type ImageDigestReference,
  type ImageRegistry,
  type Logger,
  RemoteServiceError,
  type SignatureVerifier,
  type SignerIdentity,
  type VerifiedSignature,
} from '@attestor/ports';

import { IdentityPolicy } from './identity-policy.js';
import { VerificationCache } from './verification-cache.js';
import {
  classifyFailure,
  decideSignatures,
  requireProvenance,
  type VerificationOutcome,
} from './verification-outcome.js';

/** What the verification needs from the `sigstore` block of the configuration. */
export interface SigstoreSettings {
  readonly enabled: boolean;
  readonly allowedIdentities: ReadonlyMap<string, readonly string[]>;
  readonly skipProvenance: boolean;
  readonly skipTransparencyLog: boolean;
  readonly verificationTimeoutMs: number;
}

export interface ImageSignatureVerificationDependencies {
  readonly registry: ImageRegistry;
  readonly verifier: SignatureVerifier;
  readonly metrics: AttestationMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** SLSA provenance predicate types accepted as provenance. */
export const SLSA_PROVENANCE_TYPES: readonly string[] = [
  'https://slsa.dev/provenance/v0.2',
  'https://slsa.dev/provenance/v1',
];

/**
 * Verifies the Sigstore signature (and, unless skipProvenance, the SLSA provenance) of one
 * image, per the specification: successes are cached per image digest for five minutes and
 * failures never; concurrent verifications of one image share one attempt; every attempt is
 * bounded by the verification deadline and counted in metrics by result class; a caller that
 * goes away stops waiting and gets `cancelled`. Every outcome is a value: a failure leaves
 * attestation to go on without signature attributes (fail-open).
 */
export class ImageSignatureVerification {
  #settings: SigstoreSettings | undefined;
  #policy = new IdentityPolicy(new Map());

  constructor(
    private readonly deps: ImageSignatureVerificationDependencies,
    private readonly cache: VerificationCache = new VerificationCache(deps.clock),
  ) {}

  /** Applies a (new) sigstore block; drops every cached result, as a reload must. */
  configure(settings: SigstoreSettings | undefined): void {
    this.#settings = settings;
    this.#policy = new IdentityPolicy(settings?.allowedIdentities ?? new Map());
    this.cache.clear();
  }

  get enabled(): boolean {
    return this.#settings?.enabled === true;
  }

  /**
   * Verifies `image`. With `runningConfigDigest` (the config digest of the image a container
   * runs), a verified outcome stands only when the signed manifest names that config: a
   * signature of some other image's manifest, under a repo digest the runtime reported, does
   * not cover this one.
   */
  async verify(
    image: ImageDigestReference,
    signal?: AbortSignal,
    runningConfigDigest?: string,
  ): Promise<VerificationOutcome> {
    const outcome = await this.#verify(image, signal);
    if (runningConfigDigest === undefined || outcome.kind !== 'verified') return outcome;
    if (outcome.imageConfigDigests?.includes(runningConfigDigest) === true) return outcome;
    const reason = `the signed manifest ${image.digest} does not name the running image's config ${runningConfigDigest}`;
    this.deps.logger.warn(
      'image signature verification failed; omitting docker.image.signature.* attributes',
      { image: `${image.registry}/${image.repository}@${image.digest}`, result: 'error', reason },
    );
    return { kind: 'error', reason };
  }

  async #verify(image: ImageDigestReference, signal?: AbortSignal): Promise<VerificationOutcome> {
    const settings = this.#settings;
    if (settings?.enabled !== true)
      return { kind: 'error', reason: 'sigstore verification is not enabled' };
    const policy = this.#policy;
    const key = `${image.registry}/${image.repository}@${image.digest}`;
    const lookup = this.cache.getOrVerify(key, () => this.#attempt(image, settings, policy));
    const outcome =
      signal === undefined
        ? await lookup.then(({ outcome: found, cache }) => this.#counted(cache, found))
        : await this.#raceCaller(lookup, signal);
    return outcome;
  }

  #counted(cache: 'hit' | 'miss', outcome: VerificationOutcome): VerificationOutcome {
    this.deps.metrics.sigstoreCacheLookup(cache);
    return outcome;
  }

  /**
   * The caller stops waiting when its signal aborts; the shared verification goes on. A signal
   * aborted with a `TimeoutError` reason is the caller's deadline (`timeout`); any other
   * reason is the caller going away (`cancelled`).
   */
  async #raceCaller(
    lookup: Promise<{ outcome: VerificationOutcome; cache: 'hit' | 'miss' }>,
    signal: AbortSignal,
  ): Promise<VerificationOutcome> {
    if (signal.aborted) return this.#stoppedWaiting(signal);
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => {
        resolve('aborted');
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const winner = await Promise.race([lookup, aborted]);
      if (winner === 'aborted') return this.#stoppedWaiting(signal);
      return this.#counted(winner.cache, winner.outcome);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  #stoppedWaiting(signal: AbortSignal): VerificationOutcome {
    const reason: unknown = signal.reason;
    if (reason instanceof Error && reason.name === 'TimeoutError') {
      this.deps.metrics.sigstoreVerification('timeout', 0);
      return { kind: 'timeout', reason: `the caller's deadline passed: ${reason.message}` };
    }
    this.deps.metrics.sigstoreVerification('cancelled', 0);
    return { kind: 'cancelled', reason: 'the caller went away' };
  }

  /** One verification attempt, bounded by the deadline and counted in metrics. */
  async #attempt(
    image: ImageDigestReference,
    settings: SigstoreSettings,
    policy: IdentityPolicy,
  ): Promise<VerificationOutcome> {
    const started = this.deps.clock.monotonic();
    const deadline = AbortSignal.timeout(settings.verificationTimeoutMs);
    let outcome: VerificationOutcome;
    try {
      outcome = await this.#verifyImage(image, settings, policy, deadline);
    } catch (error) {
      outcome = deadline.aborted
        ? {
            kind: 'timeout',
            reason: `verification did not finish within ${String(settings.verificationTimeoutMs)} ms`,
          }
        : classifyFailure(error);
    }
    this.deps.metrics.sigstoreVerification(
      outcome.kind,
      (this.deps.clock.monotonic() - started) / 1000,
    );
    const name = `${image.registry}/${image.repository}@${image.digest}`;
    if (outcome.kind === 'verified') {
      this.deps.metrics.sigstoreSignatureCount(outcome.signatureCount);
      if (outcome.signatureCount > 1) {
        this.deps.logger.info('several valid signatures match allowedIdentities; using the first', {
          image: name,
          count: outcome.signatureCount,
        });
      }
    } else {
      this.deps.logger.warn(
        'image signature verification failed; omitting docker.image.signature.* attributes',
        {
          image: name,
          result: outcome.kind,
          reason: outcome.reason,
        },
      );
    }
    return outcome;
  }

  async #verifyImage(
    image: ImageDigestReference,
    settings: SigstoreSettings,
    policy: IdentityPolicy,
    signal: AbortSignal,
  ): Promise<VerificationOutcome> {
    const requireTransparencyLog = !settings.skipTransparencyLog;
    const candidates = await this.deps.registry.findSignatures(image, signal);
    const verified: VerifiedSignature[] = [];
    const failures: string[] = [];
    for (const candidate of candidates) {
      try {
        verified.push(
          await this.deps.verifier.verify(candidate, image.digest, {
            requireTransparencyLog,
            signal,
          }),
        );
      } catch (error) {
        // The network or the deadline failing is the verification's result, not a bad signature.
        if (signal.aborted || RemoteServiceError.is(error)) throw error;
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    const outcome = decideSignatures({ found: candidates.length, verified, failures }, policy);
    if (outcome.kind !== 'verified') return outcome;
    // Content-addressed, so cached with the outcome: what the signed manifest is an image of.
    const imageConfigDigests = await this.deps.registry.imageConfigDigests(image, signal);
    if (settings.skipProvenance) return { ...outcome, imageConfigDigests };

    const attestations = (await this.deps.registry.findAttestations(image, signal)).filter(
      (attestation) => SLSA_PROVENANCE_TYPES.includes(attestation.predicateType),
    );
    const signers: SignerIdentity[] = [];
    const provenanceFailures: string[] = [];
    for (const attestation of attestations) {
      try {
        const result = await this.deps.verifier.verifyAttestation(attestation, image.digest, {
          requireTransparencyLog,
          signal,
        });
        // The registry's annotation is untrusted; the signed statement must say SLSA provenance.
        if (
          result.predicateType === undefined ||
          !SLSA_PROVENANCE_TYPES.includes(result.predicateType)
        ) {
          provenanceFailures.push(
            `the signed statement's predicate type is ${JSON.stringify(result.predicateType ?? null)}, not SLSA provenance`,
          );
          continue;
        }
        signers.push(result.signer);
      } catch (error) {
        if (signal.aborted) throw error;
        provenanceFailures.push(error instanceof Error ? error.message : String(error));
      }
    }
    const withProvenance = requireProvenance(
      outcome,
      { found: attestations.length, verifiedSigners: signers, failures: provenanceFailures },
      policy,
    );
    return withProvenance.kind === 'verified'
      ? { ...withProvenance, imageConfigDigests }
      : withProvenance;
  }
}
