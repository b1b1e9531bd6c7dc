import type { AttributeSet } from '@attestor/attributes';
import type { Clock, ImageDetails, ImageDigestReference, RuntimeEndpoint } from '@attestor/ports';

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
  /** The init process's /proc/<pid>/cgroup text: a workload must be within these cgroups. */
  readonly initCgroup: string;
  /**
   * The init process is in the agent's (the host's) pid namespace: decided by comparing the
   * namespaces, never from the runtime's word (`PidMode`).
   */
  readonly hostPidNamespace: boolean;
}

export interface ContainerMetadataCacheOptions {
  /** How long a container's metadata is served (each time only after its init process checks out). */
  readonly containerTtlMs: number;
  /** How long an image's details are served: bounds how long a newly pushed repo digest goes unseen. */
  readonly imageTtlMs: number;
  /** Entries kept per kind; the oldest goes first. */
  readonly maxEntries: number;
}

const DEFAULT_OPTIONS: ContainerMetadataCacheOptions = {
  containerTtlMs: 60_000,
  imageTtlMs: 60_000,
  maxEntries: 4096,
};

/**
 * Everything attestation remembers from the runtimes: container metadata per (socket,
 * container ID), and image details per (socket, image ID).
 *
 * Why this is safe:
 * - A container's ID, image reference, labels and environment cannot change while it exists
 *   (changing them means a new container with a new ID). What can change is whether it still
 *   runs, and a restart replaces its init process. So a container entry is served only after
 *   its init process is verified to be the same process, by PID and start time (`isCurrent`);
 *   a restarted or removed container fails that check and is re-inspected.
 * - An image ID is the digest of the image's config, a content address: the config digest it
 *   gives cannot change. Its repo digests can grow (a new push), which the TTL bounds.
 * The TTLs (on the monotonic clock, so a wall-clock step cannot stretch them) bound staleness
 * further, and `clear()` (on configuration reload) drops everything,
 * including the env filtered by the old prefixes. Lookups that failed are never stored.
 */
export class ContainerMetadataCache {
  readonly #containers = new Map<string, { container: CachedContainer; expiresAt: number }>();
  readonly #images = new Map<string, { image: ImageDetails; expiresAt: number }>();
  readonly #options: ContainerMetadataCacheOptions;

  constructor(
    private readonly clock: Clock,
    options: Partial<ContainerMetadataCacheOptions> = {},
  ) {
    this.#options = { ...DEFAULT_OPTIONS, ...options };
  }

  /** Container entries held (expired ones included until they are looked up or evicted). */
  get size(): number {
    return this.#containers.size;
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
    const entry = this.#containers.get(key);
    if (entry === undefined) return undefined;
    if (this.clock.monotonic() >= entry.expiresAt || !isCurrent(entry.container)) {
      this.#containers.delete(key);
      return undefined;
    }
    return entry.container;
  }

  set(container: CachedContainer): void {
    this.#store(this.#containers, keyOf(container.endpoint, container.containerId), {
      container,
      expiresAt: this.clock.monotonic() + this.#options.containerTtlMs,
    });
  }

  /** The details of an image, if known and not expired. */
  image(endpoint: RuntimeEndpoint, imageId: string): ImageDetails | undefined {
    const key = keyOf(endpoint, imageId);
    const entry = this.#images.get(key);
    if (entry === undefined) return undefined;
    if (this.clock.monotonic() >= entry.expiresAt) {
      this.#images.delete(key);
      return undefined;
    }
    return entry.image;
  }

  setImage(endpoint: RuntimeEndpoint, imageId: string, image: ImageDetails): void {
    this.#store(this.#images, keyOf(endpoint, imageId), {
      image,
      expiresAt: this.clock.monotonic() + this.#options.imageTtlMs,
    });
  }

  clear(): void {
    this.#containers.clear();
    this.#images.clear();
  }

  /** Stores an entry as the newest, evicting the oldest beyond maxEntries. */
  #store<T>(entries: Map<string, T>, key: string, entry: T): void {
    entries.delete(key);
    while (entries.size >= this.#options.maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
    entries.set(key, entry);
  }
}

function keyOf(endpoint: RuntimeEndpoint, id: string): string {
  return `${endpoint.socketPath}\n${id}`;
}
