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
  /**
   * Estimated bytes kept per kind (the text of attributes and digests, twice for UTF-16, plus
   * a fixed overhead per entry); the oldest entries go first. A runtime decides how large its
   * labels are, so a count of entries alone does not bound memory.
   */
  readonly maxBytes: number;
}

const DEFAULT_OPTIONS: ContainerMetadataCacheOptions = {
  containerTtlMs: 60_000,
  imageTtlMs: 60_000,
  maxEntries: 4096,
  maxBytes: 64 * 1024 * 1024,
};

/** What one entry costs beyond its text: the record, the map slot, the key. */
const ENTRY_OVERHEAD_BYTES = 512;

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
  readonly bytes: number;
}

/** The entries of one kind, in insertion order (which is expiry order: one TTL per kind). */
class BoundedEntries<T> {
  readonly #entries = new Map<string, Entry<T>>();
  #bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The live entry for `key`; an expired one is dropped. */
  get(key: string, now: number): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * Stores an entry as the newest. First drops the expired entries at the old end (so memory
   * is freed on expiry, not only when a key is looked up again), then the oldest entries
   * while the bounds would be exceeded. An entry larger than the byte bound is not stored.
   */
  set(key: string, value: T, expiresAt: number, bytes: number, now: number): void {
    this.delete(key);
    for (const [oldestKey, oldest] of this.#entries) {
      if (now < oldest.expiresAt) break;
      this.delete(oldestKey);
    }
    if (bytes > this.maxBytes) return;
    for (const oldestKey of this.#entries.keys()) {
      if (this.#entries.size < this.maxEntries && this.#bytes + bytes <= this.maxBytes) break;
      this.delete(oldestKey);
    }
    this.#entries.set(key, { value, expiresAt, bytes });
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
 * Memory is bounded by entries and by estimated bytes, per kind, and expired entries are
 * swept as new ones arrive.
 */
export class ContainerMetadataCache {
  readonly #containers: BoundedEntries<CachedContainer>;
  readonly #images: BoundedEntries<ImageDetails>;
  readonly #options: ContainerMetadataCacheOptions;

  constructor(
    private readonly clock: Clock,
    options: Partial<ContainerMetadataCacheOptions> = {},
  ) {
    this.#options = { ...DEFAULT_OPTIONS, ...options };
    this.#containers = new BoundedEntries(this.#options.maxEntries, this.#options.maxBytes);
    this.#images = new BoundedEntries(this.#options.maxEntries, this.#options.maxBytes);
  }

  /** Container entries held (expired ones included until they are swept or looked up). */
  get size(): number {
    return this.#containers.size;
  }

  /** Estimated bytes held by container entries. */
  get bytes(): number {
    return this.#containers.bytes;
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
    const entry = this.#containers.get(key, this.clock.monotonic());
    if (entry === undefined) return undefined;
    if (!isCurrent(entry.value)) {
      this.#containers.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(container: CachedContainer): void {
    const now = this.clock.monotonic();
    this.#containers.set(
      keyOf(container.endpoint, container.containerId),
      container,
      now + this.#options.containerTtlMs,
      containerBytes(container),
      now,
    );
  }

  /** The details of an image, if known and not expired. */
  image(endpoint: RuntimeEndpoint, imageId: string): ImageDetails | undefined {
    return this.#images.get(keyOf(endpoint, imageId), this.clock.monotonic())?.value;
  }

  setImage(endpoint: RuntimeEndpoint, imageId: string, image: ImageDetails): void {
    const now = this.clock.monotonic();
    const bytes =
      ENTRY_OVERHEAD_BYTES +
      2 * (imageId.length + image.configDigest.length) +
      image.repoDigests.reduce((sum, digest) => sum + 2 * digest.length, 0);
    this.#images.set(keyOf(endpoint, imageId), image, now + this.#options.imageTtlMs, bytes, now);
  }

  clear(): void {
    this.#containers.clear();
    this.#images.clear();
  }
}

/** An estimate of what a container entry holds: its attribute text and cgroup text. */
function containerBytes(container: CachedContainer): number {
  let chars = container.containerId.length + container.initCgroup.length;
  for (const [name, value] of Object.entries(container.attributes.toJSON()))
    chars += name.length + value.length;
  return ENTRY_OVERHEAD_BYTES + 2 * chars;
}

function keyOf(endpoint: RuntimeEndpoint, id: string): string {
  return `${endpoint.socketPath}\n${id}`;
}
