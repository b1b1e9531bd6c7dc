import {
  AttributeSet,
  DOCKER_CONTAINER_IMAGE,
  DOCKER_CONTAINER_IMAGE_CONFIG_DIGEST,
  DOCKER_RUNTIME,
  DOCKER_RUNTIME_OWNER_UID,
  envAttributeName,
  labelAttributeName,
} from '@attestor/attributes';
import {
  CgroupError,
  cgroupMembership,
  containerIdFromCgroup,
  type ContainerLocation,
  parseCgroupLines,
} from '@attestor/cgroup';
import type { DockerAttestationConfig } from '@attestor/config';
import { type AllowedEnvVar, filterEnv } from '@attestor/env-filter';
import { imageDigestReference } from '@attestor/image-reference';
import {
  type AttestationMetrics,
  type CgroupTree,
  type Clock,
  type ContainerDetails,
  type ContainerRuntime,
  ContainerRuntimeError,
  type ImageDetails,
  type ImageDigestReference,
  type Logger,
  type ProcessHandle,
  type ProcessIdentity,
  type ProcessTable,
  ProcessTableError,
  type RuntimeEndpoint,
} from '@attestor/ports';
import { RuntimeEndpointResolver } from '@attestor/runtime-resolver';
import { type ImageSignatureVerification, signatureAttributes } from '@attestor/sigstore-policy';

import { AttestationDeadline } from './attestation-deadline.js';
import { type CachedContainer, ContainerMetadataCache } from './container-metadata-cache.js';
import { AttestationError } from './errors.js';

export type Attestation =
  | { readonly kind: 'not_in_container'; readonly pid: number; readonly attributes: AttributeSet }
  | {
      readonly kind: 'attested';
      readonly pid: number;
      readonly containerId: string;
      /** The runtime that vouched for the container. */
      readonly runtime: RuntimeEndpoint;
      /**
       * `host` when the container shares the host pid namespace (`--pid=host`, or that of such a
       * container); attested only when `attestHostPidContainers` is on.
       */
      readonly pidNamespace: 'container' | 'host';
      readonly attributes: AttributeSet;
    };

/**
 * The workload as read between opening a handle on it and confirming that handle, so every
 * fact here belongs to the one process the handle denotes.
 */
interface Workload {
  readonly pid: number;
  readonly startTime: bigint;
  readonly pidNamespace: bigint;
  /** The text of its /proc/<pid>/cgroup. */
  readonly cgroup: string;
}

export interface WorkloadAttestorDependencies {
  readonly processTable: ProcessTable;
  readonly runtime: ContainerRuntime;
  readonly metrics: AttestationMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The agent's own PID, whose pid namespace is taken as the host's. */
  readonly agentPid: number;
  /**
   * Who owns the cgroup directories: a rootful runtime's container is not trusted in a
   * directory a user owns. Without it, that check is skipped (tests of other behaviour).
   */
  readonly cgroupTree?: CgroupTree;
}

/**
 * The attestation use case: PID -> procfs -> cgroup -> runtime resolver -> inspect ->
 * cross-checks -> attributes -> procfs again. Returns attributes only when every step agrees
 * they belong to this PID; otherwise throws AttestationError and returns nothing.
 */
export class WorkloadAttestor {
  #config: DockerAttestationConfig;
  /** Built from #config, replaced with it. */
  #endpoints: RuntimeEndpointResolver;
  readonly #cache: ContainerMetadataCache;
  #hostPidNamespace: bigint | undefined;
  #signatures: ImageSignatureVerification | undefined;

  constructor(
    private readonly deps: WorkloadAttestorDependencies,
    config: DockerAttestationConfig,
    cache?: ContainerMetadataCache,
  ) {
    this.#config = config;
    this.#endpoints = new RuntimeEndpointResolver(config);
    this.#cache = cache ?? new ContainerMetadataCache(deps.clock);
  }

  /**
   * Applies a new configuration to the next attestation (hot reload) and drops cached metadata.
   * `signatures` verifies image signatures under the new sigstore block (built by the caller,
   * which owns its registry and trust-root I/O); without it, no signature attribute is emitted.
   */
  configure(config: DockerAttestationConfig, signatures?: ImageSignatureVerification): void {
    // Built first: a configuration whose socket URLs do not parse changes nothing.
    this.#endpoints = new RuntimeEndpointResolver(config);
    this.#config = config;
    this.#signatures = signatures;
    this.#cache.clear();
    // Lookups under the old configuration finish for their own callers; none is joined now.
    this.#inFlight.clear();
  }

  /** Attests `pid`. `signal` aborts when the caller goes away (image verification stops waiting). */
  async attest(pid: number, signal?: AbortSignal): Promise<Attestation> {
    const started = this.deps.clock.monotonic();
    try {
      const attestation = await this.#attest(pid, this.#config, this.#endpoints, signal, started);
      this.deps.metrics.attestation(
        attestation.kind,
        (this.deps.clock.monotonic() - started) / 1000,
      );
      return attestation;
    } catch (error) {
      this.deps.metrics.attestation(
        'error',
        (this.deps.clock.monotonic() - started) / 1000,
        AttestationError.is(error) ? error.code : 'internal',
      );
      throw error;
    }
  }

  async #attest(
    pid: number,
    config: DockerAttestationConfig,
    resolver: RuntimeEndpointResolver,
    signal: AbortSignal | undefined,
    started: number,
  ): Promise<Attestation> {
    // Off is not "not in a container": nothing was looked at, so nothing can be said.
    if (!config.enabled) {
      throw new AttestationError(
        'attestation_disabled',
        'Docker attestation is off (spec.docker.enabled is false)',
      );
    }
    // A caller that has already gone gets nothing and costs nothing: no runtime is asked.
    if (signal?.aborted === true) {
      throw new AttestationError('cancelled', `process ${String(pid)}: the caller went away`, {
        cause: signal.reason,
      });
    }
    // Every read by PID below happens after the handle is opened and before it is confirmed:
    // if the process exits meanwhile and its PID goes to another process, the confirmation
    // fails and nothing read is returned.
    let handle: ProcessHandle;
    try {
      handle = this.deps.processTable.open(pid);
    } catch (error) {
      throw this.#processError(error, pid);
    }
    const deadline = new AttestationDeadline(
      config.attestationTimeoutMs,
      signal,
      this.deps.clock,
      started,
    );
    try {
      const cgroup = this.#read(pid, (table) => table.cgroup(pid));
      const location = this.#locate(pid, cgroup);
      const workload: Workload = {
        pid,
        startTime: handle.startTime,
        pidNamespace: this.#read(pid, (table) => table.pidNamespace(pid)),
        cgroup,
      };
      // The owner matters only when a rootless socket may be asked: when the cgroup does not
      // name the runtime, or names a rootless Podman. Skip the read otherwise.
      const needsOwner =
        location.kind !== 'container' ||
        location.runtime === 'unknown' ||
        location.rootlessUid !== undefined;
      const uid = needsOwner ? this.#read(pid, (table) => table.ownerUid(pid)) : undefined;
      if (
        location.kind === 'container' &&
        location.rootlessUid !== undefined &&
        uid !== location.rootlessUid
      ) {
        throw new AttestationError(
          'cgroup_mismatch',
          `process ${String(pid)}: its cgroup names the rootless user ${String(location.rootlessUid)}, but the process belongs to user ${String(uid)}`,
        );
      }
      const endpoints = resolver.endpointsFor(uid === undefined ? { location } : { location, uid });

      const container =
        location.kind === 'container'
          ? await this.#findById(location.containerId, endpoints, workload, config, deadline)
          : await this.#discover(endpoints, workload, config, deadline);
      if (container === undefined) {
        this.#confirm(handle);
        return { kind: 'not_in_container', pid, attributes: AttributeSet.empty };
      }

      const attributes = await this.#withSignature(container, deadline);
      this.#confirm(handle);
      return {
        kind: 'attested',
        pid,
        containerId: container.containerId,
        runtime: container.endpoint,
        pidNamespace: container.hostPidNamespace ? 'host' : 'container',
        attributes,
      };
    } finally {
      deadline.dispose();
      handle.close();
    }
  }

  /**
   * The container's attributes plus, when Sigstore verification is enabled and the image has a
   * repo digest, the docker.image.signature.* attributes of a successful verification. Any
   * failure leaves them out (fail-open; the verification logged why and counted it).
   */
  async #withSignature(
    container: CachedContainer,
    deadline: AttestationDeadline,
  ): Promise<AttributeSet> {
    const signatures = this.#signatures;
    if (signatures?.enabled !== true || container.repoDigest === undefined)
      return container.attributes;
    // The attestation's deadline bounds the verification too (a timeout, fail-open).
    // Bound to the running image: the signed manifest must name its config digest.
    const outcome = await signatures.verify(
      container.repoDigest,
      deadline.signal,
      imageConfigDigestOf(container.attributes),
    );
    if (outcome.kind !== 'verified') return container.attributes;
    return container.attributes.with(
      signatureAttributes(AttributeSet.builder(), outcome.signature).done(),
    );
  }

  /**
   * A read by PID of the workload, whose handle is open: a process that is not found now has
   * exited since the handle was opened.
   */
  #read<T>(pid: number, read: (table: ProcessTable) => T): T {
    try {
      return read(this.deps.processTable);
    } catch (error) {
      if (ProcessTableError.is(error) && error.code === 'not_found') {
        throw new AttestationError(
          'process_changed',
          `process ${String(pid)} exited during attestation`,
          { cause: error },
        );
      }
      throw this.#processError(error, pid);
    }
  }

  /** The container of a cgroup text. */
  #locate(pid: number, cgroup: string): ContainerLocation {
    try {
      return containerIdFromCgroup(cgroup);
    } catch (error) {
      if (!CgroupError.is(error)) throw error;
      throw new AttestationError(
        'malformed_process_data',
        `process ${String(pid)}: ${error.message}`,
        { cause: error },
      );
    }
  }

  /** Asks each endpoint in turn about the container the cgroup names; the first that knows it wins. */
  async #findById(
    containerId: string,
    endpoints: readonly RuntimeEndpoint[],
    workload: Workload,
    config: DockerAttestationConfig,
    deadline: AttestationDeadline,
  ): Promise<CachedContainer> {
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      let container: CachedContainer | undefined;
      try {
        container = await this.#container(endpoint, containerId, config, workload, deadline, true);
      } catch (error) {
        if (!ContainerRuntimeError.is(error)) throw error;
        if (error.code === 'aborted')
          throw deadline.error(`process ${String(workload.pid)}`, error);
        failures.push(error.message);
        continue;
      }
      if (container === undefined) continue;
      this.#checkMembership(container, workload, config);
      return container;
    }
    const asked = endpoints
      .map((endpoint) => `${endpoint.kind} at ${endpoint.socketPath}`)
      .join(', ');
    if (failures.length > 0) {
      throw new AttestationError(
        'runtime_unavailable',
        `process ${String(workload.pid)} is in container ${containerId}, but no runtime that could know it answered: ${failures.join('; ')}`,
      );
    }
    // Never empty: a cgroup that names a container always gets Docker or rootful Podman asked.
    throw new AttestationError(
      'container_unknown',
      `process ${String(workload.pid)} is in container ${containerId}, which ${asked} does not know`,
    );
  }

  /**
   * For a process whose cgroup names no container (rootless Podman on cgroup v1 hosts): asks
   * the rootless sockets for their running containers and matches the pid namespace. A process
   * in the agent's (the host's) pid namespace is not looked for. A process in a pid namespace
   * of its own that no reachable socket claims is not in a container; if a socket that could
   * claim it did not answer, that is an error naming the socket, since the answer is unknown.
   */
  async #discover(
    endpoints: readonly RuntimeEndpoint[],
    workload: Workload,
    config: DockerAttestationConfig,
    deadline: AttestationDeadline,
  ): Promise<CachedContainer | undefined> {
    if (endpoints.length === 0) return undefined;
    if (workload.pidNamespace === this.#hostNamespace()) return undefined;
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      let ids: readonly string[];
      try {
        ids = await this.deps.runtime.listRunningContainerIds(endpoint, deadline.signal);
      } catch (error) {
        if (!ContainerRuntimeError.is(error)) throw error;
        if (error.code === 'aborted')
          throw deadline.error(`process ${String(workload.pid)}`, error);
        failures.push(error.message);
        continue;
      }
      for (const id of ids) {
        let container: CachedContainer | undefined;
        try {
          // Not cached unless it matches: a socket that lists many containers (its user may
          // answer anything) must not fill the cache with them.
          container = await this.#container(endpoint, id, config, workload, deadline, false);
        } catch (error) {
          if (ContainerRuntimeError.is(error) && error.code === 'aborted')
            throw deadline.error(`process ${String(workload.pid)}`, error);
          if (
            AttestationError.is(error) &&
            (error.code === 'deadline_exceeded' || error.code === 'cancelled')
          )
            throw error;
          // A container that stops while we look through the list is simply not this one.
          if (!(ContainerRuntimeError.is(error) || AttestationError.is(error))) throw error;
          this.deps.logger.debug('container skipped during discovery', {
            socket: endpoint.socketPath,
            containerId: id,
            reason: error.message,
          });
          continue;
        }
        // The workload is in a pid namespace other than the host's, so a host-pid container
        // never matches here.
        if (
          container?.initPidNamespace === workload.pidNamespace &&
          cgroupMembership(workload.cgroup, container.initCgroup).kind === 'member'
        ) {
          if (config === this.#config) this.#cache.set(container);
          return container;
        }
      }
    }
    if (failures.length > 0) {
      throw new AttestationError(
        'runtime_unavailable',
        `process ${String(workload.pid)} runs in a pid namespace of its own with no container ID in its cgroup, and the runtime that could own it did not answer: ${failures.join('; ')}`,
      );
    }
    return undefined;
  }

  /**
   * The container's metadata: from the cache when its init process is unchanged, else
   * inspected. When the workload is the container's init process (single-process containers),
   * what was read about the workload stands in for a second read of the same /proc files; the
   * workload's handle, confirmed at the end of the attestation, covers both.
   */
  async #container(
    endpoint: RuntimeEndpoint,
    containerId: string,
    config: DockerAttestationConfig,
    workload: Workload,
    deadline: AttestationDeadline,
    cache: boolean,
  ): Promise<CachedContainer | undefined> {
    const isCurrent = (entry: CachedContainer) =>
      entry.initPid === workload.pid
        ? entry.initStartTime === workload.startTime
        : this.#initUnchanged(entry);
    const cached = this.#cache.get(endpoint, containerId, isCurrent);
    if (cached !== undefined) return cached;
    if (!cache || config !== this.#config)
      return this.#lookUp(endpoint, containerId, config, workload, deadline.signal, cache);
    // Concurrent attestations of one container share one lookup: a workload that opens a
    // thousand connections at once costs the runtime one inspect, not a thousand.
    const key = `${endpoint.kind}\0${endpoint.socketPath}\0${containerId}`;
    for (;;) {
      const joined = this.#inFlight.get(key);
      if (joined === undefined) {
        const flight = this.#lookUp(endpoint, containerId, config, workload, deadline.signal, true);
        this.#inFlight.set(key, flight);
        const done = () => {
          if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
        };
        flight.then(done, done);
        return flight;
      }
      let shared: CachedContainer | undefined;
      try {
        shared = await untilAborted(joined, deadline.signal, endpoint.socketPath);
      } catch (error) {
        // The lookup was stopped by its own caller's going away, not this one's: again.
        if (ContainerRuntimeError.is(error) && error.code === 'aborted' && !deadline.signal.aborted)
          continue;
        throw error;
      }
      // As a cached entry is: served only while its init process is the one it was read from.
      if (shared === undefined || isCurrent(shared)) return shared;
      return this.#lookUp(endpoint, containerId, config, workload, deadline.signal, true);
    }
  }

  /** Cache misses being looked up, by runtime socket and container ID. */
  readonly #inFlight = new Map<string, Promise<CachedContainer | undefined>>();

  /**
   * Inspects a container and its image and reads its init process: what the cache holds.
   * Stored (when `store`) if the configuration it was read under is still in force.
   */
  async #lookUp(
    endpoint: RuntimeEndpoint,
    containerId: string,
    config: DockerAttestationConfig,
    workload: Workload,
    signal: AbortSignal,
    store: boolean,
  ): Promise<CachedContainer | undefined> {
    // Nothing runs between a request and its answer. Over a unix socket the daemon is woken
    // on this process's CPU (a synchronous wake-up), so work done meanwhile delays the answer
    // by more than the work costs: measured on 2 cores, reading the init process while the
    // image inspect was in flight took 1.12x the raw calls, reading it after, 1.08x.
    const details = await this.deps.runtime.inspectContainer(endpoint, containerId, signal);
    if (details === undefined) return undefined;
    if (!details.running || details.initPid === 0) {
      throw new AttestationError(
        'container_not_running',
        `container ${containerId} (${endpoint.kind} at ${endpoint.socketPath}) is not running`,
      );
    }
    const imageDetails = await this.#image(endpoint, details, signal);
    const init =
      details.initPid === workload.pid ? workload : this.#initProcess(containerId, details.initPid);
    if (endpoint.kind !== 'podman-rootless') this.#checkRootOwned(containerId, init.cgroup);
    const repoDigest = imageDetails === undefined ? undefined : signedReferenceOf(imageDetails);
    const container: CachedContainer = {
      endpoint,
      containerId,
      attributes: containerAttributes(
        endpoint,
        details,
        filterEnv(details.env, config.includeEnvVars),
        imageDetails?.configDigest,
      ),
      ...(repoDigest === undefined ? {} : { repoDigest }),
      initPid: details.initPid,
      initStartTime: init.startTime,
      initPidNamespace: init.pidNamespace,
      initCgroup: init.cgroup,
      hostPidNamespace: init.pidNamespace === this.#hostNamespace(),
    };
    // Cache only what was read under the configuration still in force.
    if (store && config === this.#config) this.#cache.set(container);
    return container;
  }

  /**
   * The container's image: its config digest and repo digests, from the cache when known (see
   * ContainerMetadataCache for why that is safe). A failed or empty inspect is not cached.
   */
  async #image(
    endpoint: RuntimeEndpoint,
    details: ContainerDetails,
    signal: AbortSignal,
  ): Promise<ImageDetails | undefined> {
    const known = this.#cache.image(endpoint, details.imageId);
    if (known !== undefined) return known;
    try {
      const image = await this.deps.runtime.inspectImage(endpoint, details.imageId, signal);
      if (image !== undefined) {
        this.#cache.setImage(endpoint, details.imageId, image);
      } else {
        this.deps.logger.warn('image inspect found no image; omitting image_config_digest', {
          socket: endpoint.socketPath,
          containerId: details.id,
          imageId: details.imageId,
        });
      }
      return image;
    } catch (error) {
      if (!ContainerRuntimeError.is(error)) throw error;
      // Stopped by the deadline or the caller: the whole attestation stops, not just this
      // (each attestation that waited on this lookup says why for itself).
      if (error.code === 'aborted') throw error;
      this.deps.logger.warn('image inspect failed; omitting image_config_digest', {
        socket: endpoint.socketPath,
        containerId: details.id,
        reason: error.message,
      });
      return undefined;
    }
  }

  /**
   * A rootful runtime's container lives in cgroup directories only root can create. Where the
   * container init's cgroup path names the container, every directory from the hierarchy's
   * root down to it must be root's: one a user owns (a delegated subtree) could have been
   * named after the container by that user.
   */
  #checkRootOwned(containerId: string, initCgroup: string): void {
    const tree = this.deps.cgroupTree;
    if (tree === undefined) return;
    for (const line of parseCgroupLines(initCgroup)) {
      if (!line.path.includes(containerId)) continue;
      const controllers = line.controllers.join(',');
      const owners = tree.directoryOwners(line.hierarchyId, controllers, line.path);
      const owner = owners?.find((uid) => uid !== 0);
      if (owner !== undefined) {
        throw new AttestationError(
          'untrusted_cgroup',
          `container ${containerId}: its cgroup ${JSON.stringify(line.path.slice(0, 200))} on hierarchy "${String(line.hierarchyId)}:${controllers}" is under a directory owned by uid ${String(owner)}, not root, so a rootful runtime's container is not taken to be there`,
        );
      }
    }
  }

  #initUnchanged(entry: CachedContainer): boolean {
    try {
      return this.deps.processTable.startTime(entry.initPid) === entry.initStartTime;
    } catch (error) {
      if (ProcessTableError.is(error)) return false;
      throw error;
    }
  }

  /**
   * The workload belongs to the container: it shares the pid namespace of the container's init
   * process and sits within that process's cgroups on every hierarchy. A container that shares
   * the host pid namespace is refused unless the configuration opts in; even then, its cgroups
   * must hold the workload.
   */
  #checkMembership(
    container: CachedContainer,
    workload: Workload,
    config: DockerAttestationConfig,
  ): void {
    const { containerId } = container;
    if (container.hostPidNamespace && !config.attestHostPidContainers) {
      throw new AttestationError(
        'host_pid_namespace_refused',
        `process ${String(workload.pid)}: container ${containerId} shares the host pid namespace, and attesting such containers is off (spec.docker.attestHostPidContainers)`,
      );
    }
    if (container.initPidNamespace !== workload.pidNamespace) {
      throw new AttestationError(
        'pid_namespace_mismatch',
        container.hostPidNamespace
          ? `process ${String(workload.pid)}: container ${containerId} uses the host pid namespace, but the process does not`
          : `process ${String(workload.pid)} is not in the pid namespace of container ${containerId} (init process ${String(container.initPid)})`,
      );
    }
    const membership = cgroupMembership(workload.cgroup, container.initCgroup);
    if (membership.kind === 'outside') {
      throw new AttestationError(
        'cgroup_mismatch',
        `process ${String(workload.pid)} is not in the cgroups of container ${containerId} (init process ${String(container.initPid)}): ${membership.reason}`,
      );
    }
  }

  /**
   * The start time, pid namespace and cgroups of a container's init process, all read from the
   * one process (ProcessTable.identify).
   */
  #initProcess(containerId: string, initPid: number): ProcessIdentity {
    try {
      return this.deps.processTable.identify(initPid);
    } catch (error) {
      if (ProcessTableError.is(error) && error.code === 'not_found') {
        throw new AttestationError(
          'container_not_running',
          `container ${containerId}: its init process ${String(initPid)} has exited`,
          { cause: error },
        );
      }
      throw this.#processError(error, initPid);
    }
  }

  /** Confirms the workload's handle: the process read at the start is still the same one. */
  #confirm(handle: ProcessHandle): void {
    try {
      handle.confirm();
    } catch (error) {
      if (!(ProcessTableError.is(error) && error.code === 'not_found'))
        throw this.#processError(error, handle.pid);
      // Say which happened: the process exited, or exited and its PID went to another one.
      let now: bigint | undefined;
      try {
        now = this.deps.processTable.startTime(handle.pid);
      } catch {
        now = undefined;
      }
      throw new AttestationError(
        'process_changed',
        now === undefined || now === handle.startTime
          ? `process ${String(handle.pid)} exited during attestation`
          : `process ${String(handle.pid)} was replaced during attestation (its PID was reused)`,
        { cause: error },
      );
    }
  }

  /** The agent's own pid namespace, taken as the host's; read once. */
  #hostNamespace(): bigint {
    if (this.#hostPidNamespace === undefined) {
      try {
        this.#hostPidNamespace = this.deps.processTable.pidNamespace(this.deps.agentPid);
      } catch (error) {
        throw this.#processError(error, this.deps.agentPid);
      }
    }
    return this.#hostPidNamespace;
  }

  #processError(error: unknown, pid: number): Error {
    if (!ProcessTableError.is(error))
      return error instanceof Error ? error : new Error(String(error));
    switch (error.code) {
      case 'not_found':
        return new AttestationError('process_not_found', `process ${String(pid)} does not exist`, {
          cause: error,
        });
      case 'permission_denied':
        return new AttestationError('permission_denied', error.message, { cause: error });
      case 'malformed':
      case 'io':
        return new AttestationError('malformed_process_data', error.message, { cause: error });
    }
  }
}

/**
 * The attributes of a container: the specification's (image, one per label, the allowed env
 * vars, the image config digest unless the image inspect failed) and which runtime vouched.
 */
function containerAttributes(
  endpoint: RuntimeEndpoint,
  details: ContainerDetails,
  allowedEnv: readonly AllowedEnvVar[],
  imageConfigDigest: string | undefined,
): AttributeSet {
  const builder = AttributeSet.builder().string(DOCKER_CONTAINER_IMAGE, details.imageReference);
  for (const [key, value] of Object.entries(details.labels))
    builder.string(labelAttributeName(key), value);
  for (const { name, value } of allowedEnv) builder.string(envAttributeName(name), value);
  if (imageConfigDigest !== undefined)
    builder.string(DOCKER_CONTAINER_IMAGE_CONFIG_DIGEST, imageConfigDigest);
  builder.string(DOCKER_RUNTIME, endpoint.kind);
  if (endpoint.ownerUid !== undefined) builder.uint64(DOCKER_RUNTIME_OWNER_UID, endpoint.ownerUid);
  return builder.done();
}

/** The image config digest attribute (from the image inspect), when the inspect succeeded. */
function imageConfigDigestOf(attributes: AttributeSet): string | undefined {
  const digest = attributes.get(DOCKER_CONTAINER_IMAGE_CONFIG_DIGEST);
  return digest?.type === 'string' ? digest.value : undefined;
}

/**
 * The repo digest whose signatures can speak for the running image. Where the runtime names
 * the image by its config digest, any of them: the verification then demands that the signed
 * manifest name that config. Where it names the image by the index or manifest it was pulled
 * as (Docker's containerd store), only the repo digest of that very target: it is the running
 * image's own content address, so a signature over it needs no further binding.
 */
function signedReferenceOf(image: ImageDetails): ImageDigestReference | undefined {
  for (const text of image.repoDigests) {
    const reference = imageDigestReference(text);
    if (reference === undefined) continue;
    if (image.targetDigest === undefined || reference.digest === image.targetDigest)
      return reference;
  }
  return undefined;
}

/**
 * `promise`, or a rejection as the runtime adapters give one (`aborted`) when `signal` aborts
 * first: a wait on someone else's lookup ends with this caller's own deadline.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, socketPath: string): Promise<T> {
  const aborted = () =>
    new ContainerRuntimeError('aborted', socketPath, 'the attestation was stopped', {
      cause: signal.reason,
    });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(aborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}
