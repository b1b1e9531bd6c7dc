import type { AttributeSet } from '@attestor/attributes';
import type { Clock, ImageDetails, ImageDigestReference, RuntimeEndpoint } from '@attestor/ports';
import { TtlCache } from '@attestor/ttl-cache';

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
  readonly #containers: TtlCache<CachedContainer>;
  readonly #images: TtlCache<ImageDetails>;

  constructor(clock: Clock, options: Partial<ContainerMetadataCacheOptions> = {}) {
    const { containerTtlMs, imageTtlMs, maxEntries, maxBytes } = { ...DEFAULT_OPTIONS, ...options };
    this.#containers = new TtlCache(clock, {
      ttlMs: containerTtlMs,
      maxEntries,
      maxBytes,
      sizeOf: (_key, container) => containerBytes(container),
    });
    this.#images = new TtlCache(clock, {
      ttlMs: imageTtlMs,
      maxEntries,
      maxBytes,
      sizeOf: (imageKey, image) => imageBytes(imageKey, image),
    });
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
    const container = this.#containers.get(key);
    if (container === undefined) return undefined;
    if (!isCurrent(container)) {
      this.#containers.delete(key);
      return undefined;
    }
    return container;
  }

  set(container: CachedContainer): void {
    this.#containers.set(keyOf(container.endpoint, container.containerId), container);
  }

  /** The details of an image, if known and not expired. */
  image(endpoint: RuntimeEndpoint, imageId: string): ImageDetails | undefined {
    return this.#images.get(keyOf(endpoint, imageId));
  }

  setImage(endpoint: RuntimeEndpoint, imageId: string, image: ImageDetails): void {
    this.#images.set(keyOf(endpoint, imageId), image);
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

/** An estimate of what an image entry holds: its key and digests. */
function imageBytes(key: string, image: ImageDetails): number {
  let chars = key.length + (image.configDigest ?? image.targetDigest).length;
  for (const digest of image.repoDigests) chars += digest.length;
  return ENTRY_OVERHEAD_BYTES + 2 * chars;
}

function keyOf(endpoint: RuntimeEndpoint, id: string): string {
  return `${endpoint.socketPath}\n${id}`;
}
