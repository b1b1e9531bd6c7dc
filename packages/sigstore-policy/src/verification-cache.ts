import type { CacheLookupResult, Clock } from '@attestor/ports';
import { TtlCache } from '@attestor/ttl-cache';

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
  readonly #entries: TtlCache<Verified>;
  readonly #inFlight = new Map<string, Promise<VerificationOutcome>>();
  #generation = 0;

  constructor(
    clock: Clock,
    ttlMs: number = VERIFICATION_CACHE_TTL_MS,
    maxEntries: number = DEFAULT_MAX_ENTRIES,
  ) {
    // On the monotonic clock: a wall-clock step cannot keep a verification for longer.
    this.#entries = new TtlCache(clock, { ttlMs, maxEntries });
  }

  get size(): number {
    return this.#entries.size;
  }

  async getOrVerify(key: string, verify: () => Promise<VerificationOutcome>): Promise<CacheLookup> {
    const cached = this.#entries.get(key);
    if (cached !== undefined) return { outcome: cached, cache: 'hit' };
    const running = this.#inFlight.get(key);
    if (running !== undefined) return { outcome: await running, cache: 'miss' };

    const generation = this.#generation;
    const verification = verify();
    this.#inFlight.set(key, verification);
    try {
      const outcome = await verification;
      if (outcome.kind === 'verified' && generation === this.#generation)
        this.#entries.set(key, outcome);
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
}
