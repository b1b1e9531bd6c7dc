import type { CacheLookupResult, Clock } from '@attestor/ports';

import type { VerificationOutcome } from './verification-outcome.js';

/** How long a successful verification is served from the cache. */
export const VERIFICATION_CACHE_TTL_MS = 5 * 60 * 1000;
const DEFAULT_MAX_ENTRIES = 10_000;

type Verified = Extract<VerificationOutcome, { kind: 'verified' }>;

export interface CacheLookup {
  readonly outcome: VerificationOutcome;
  /** `hit` when served from the cache; `miss` when this call verified or joined a verification. */
  readonly cache: CacheLookupResult;
}

/**
 * The verification cache policy of the specification:
 * - successes are cached per image (keyed by digest reference) for five minutes;
 * - failures are never cached, so a transient outage heals on the next attestation;
 * - concurrent lookups of one key share one verification (single flight);
 * - `clear()` (on configuration reload) drops every entry, and a verification that was in
 *   flight when it was called is not stored, since it ran under the old policy.
 */
export class VerificationCache {
  readonly #entries = new Map<string, { outcome: Verified; expiresAt: number }>();
  readonly #inFlight = new Map<string, Promise<VerificationOutcome>>();
  #generation = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number = VERIFICATION_CACHE_TTL_MS,
    private readonly maxEntries: number = DEFAULT_MAX_ENTRIES,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  async getOrVerify(key: string, verify: () => Promise<VerificationOutcome>): Promise<CacheLookup> {
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      if (this.clock.now() < cached.expiresAt) return { outcome: cached.outcome, cache: 'hit' };
      this.#entries.delete(key);
    }
    const running = this.#inFlight.get(key);
    if (running !== undefined) return { outcome: await running, cache: 'miss' };

    const generation = this.#generation;
    const verification = verify();
    this.#inFlight.set(key, verification);
    try {
      const outcome = await verification;
      if (outcome.kind === 'verified' && generation === this.#generation) this.#store(key, outcome);
      return { outcome, cache: 'miss' };
    } finally {
      if (this.#inFlight.get(key) === verification) this.#inFlight.delete(key);
    }
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#inFlight.clear();
  }

  #store(key: string, outcome: Verified): void {
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { outcome, expiresAt: this.clock.now() + this.ttlMs });
  }
}
