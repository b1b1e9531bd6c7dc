import type { Clock } from '@attestor/ports';

export interface TtlCacheOptions<V> {
  /** How long an entry is served after it is stored, unless `set` is given another TTL. */
  readonly ttlMs: number;
  /** Entries kept; the oldest goes first. */
  readonly maxEntries: number;
  /**
   * Estimated bytes kept; the oldest entries go first, and an entry larger than this is not
   * stored. Whoever controls the values (a runtime's labels, a registry's bundles) decides
   * how large they are, so a count of entries alone does not bound memory.
   */
  readonly maxBytes?: number;
  /** The estimated size of one entry, key included; needed with `maxBytes`. */
  readonly sizeOf?: (key: string, value: V) => number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
  readonly bytes: number;
}

/**
 * A map whose entries expire, on the monotonic clock (a wall-clock step can neither stretch
 * nor cut a TTL), bounded in entries and in estimated bytes. Memory is freed on expiry: each
 * `set` first drops the expired entries at the old end, not only when a key is looked up
 * again. Entries are kept in insertion order, which is expiry order when every entry has the
 * same TTL; with TTLs of their own an expired entry may wait behind a live one until it is
 * looked up or pushed out by the bounds, which still hold.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: TtlCacheOptions<V>,
  ) {
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Entries held, expired ones included until they are swept or looked up. */
  get size(): number {
    return this.#entries.size;
  }

  /** Estimated bytes held (0 without `sizeOf`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The live value for `key`; an expired entry is dropped. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.clock.monotonic() >= entry.expiresAt) {
      this.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Stores `value` as the newest entry, for `ttlMs` (the cache's TTL unless given). */
  set(key: string, value: V, ttlMs: number = this.options.ttlMs): void {
    const now = this.clock.monotonic();
    this.delete(key);
    for (const [oldestKey, oldest] of this.#entries) {
      if (now < oldest.expiresAt) break;
      this.delete(oldestKey);
    }
    const bytes = this.options.sizeOf?.(key, value) ?? 0;
    if (bytes > this.#maxBytes || ttlMs <= 0) return;
    for (const oldestKey of this.#entries.keys()) {
      if (this.#entries.size < this.options.maxEntries && this.#bytes + bytes <= this.#maxBytes)
        break;
      this.delete(oldestKey);
    }
    this.#entries.set(key, { value, expiresAt: now + ttlMs, bytes });
    this.#bytes += bytes;
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
