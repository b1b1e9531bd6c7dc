import type { AttributeSet } from '@attestor/attributes';
import type { Clock, ImageDigestReference, RuntimeEndpoint } from '@attestor/ports';

/**
 * What attestation keeps about a container between attestations: its attributes, already
 * built. The environment is in them only as filtered by includeEnvVars; raw values never
 * outlive the inspect call.
 */
export interface CachedContainer {
  readonly endpoint: RuntimeEndpoint;
  readonly containerId: string;
  readonly attributes: AttributeSet;
  /** Where the image's signatures are, when the image was pushed to (or pulled from) a registry. */
  readonly repoDigest?: ImageDigestReference;
  readonly initPid: number;
  /** Start time of the init process when the entry was made: identifies that very process. */
  readonly initStartTime: bigint;
  readonly initPidNamespace: bigint;
  readonly hostPidNamespace: boolean;
}

const DEFAULT_TTL_MS = 60_000;
const DEFAULT_MAX_ENTRIES = 4096;

/**
 * Container metadata, cached per (socket, container ID).
 *
 * Why this is safe: a container's ID, image reference, labels and environment cannot change
 * while it exists (changing them means a new container with a new ID). What can change is
 * whether it still runs, and a restart replaces its init process. So an entry is served only
 * after its init process is verified to be the same process, by PID and start time
 * (`isCurrent`); a restarted or removed container fails that check and is re-inspected. The
 * TTL bounds staleness further, and `clear()` (on configuration reload) drops everything,
 * including the env filtered by the old prefixes.
 */
export class ContainerMetadataCache {
  readonly #entries = new Map<string, { container: CachedContainer; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The entry for a container, if one exists, has not expired, and `isCurrent` confirms its
   * init process is unchanged. Entries that fail are dropped.
   */
  get(
    endpoint: RuntimeEndpoint,
    containerId: string,
    isCurrent: (container: CachedContainer) => boolean,
  ): CachedContainer | undefined {
    const key = keyOf(endpoint, containerId);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.clock.now() >= entry.expiresAt || !isCurrent(entry.container)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.container;
  }

  set(container: CachedContainer): void {
    const key = keyOf(container.endpoint, container.containerId);
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { container, expiresAt: this.clock.now() + this.ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }
}

function keyOf(endpoint: RuntimeEndpoint, containerId: string): string {
  return `${endpoint.socketPath}\n${containerId}`;
}
