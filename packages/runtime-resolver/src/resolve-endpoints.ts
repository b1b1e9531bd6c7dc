import type { ContainerLocation } from '@attestor/cgroup';
import type { RuntimeEndpoint } from '@attestor/ports';

import {
  expandPodmanSocketTemplate,
  socketPathFromUrl,
  validatePodmanSocketTemplate,
} from './socket-url.js';

/** The configuration that decides which runtime sockets exist. */
export interface RuntimeResolverSettings {
  readonly dockerSocketPath: string;
  readonly podmanSocketPath: string;
  readonly podmanSocketPathTemplate: string;
  /** Whether rootless Podman sockets (controlled by their users) may be asked at all. */
  readonly rootlessPodmanDiscovery: boolean;
}

/** What is known about the workload when choosing whom to ask. */
export interface WorkloadFacts {
  readonly location: ContainerLocation;
  /**
   * The host user the workload belongs to (ProcessTable.ownerUid: its uid, or the owner of its
   * user namespace). Needed when the cgroup does not name the runtime (no ID, or runtime
   * unknown) or names a rootless one; callers may leave it out otherwise and save the read.
   */
  readonly uid?: number;
}

/**
 * The runtime endpoints to ask about a workload, most likely first. Built once per
 * configuration: the socket URLs are parsed, and refused if invalid, when it is built, not on
 * every attestation.
 *
 * - A cgroup path that names the runtime is trusted as a hint: Docker paths ask Docker;
 *   rootful Podman paths ask rootful Podman; rootless Podman paths ask the socket of the
 *   workload's owner uid (then rootful Podman).
 * - A container ID without a hint asks Docker, rootful Podman, then the rootless socket of the
 *   workload's owner uid.
 * - No container ID at all still asks the rootless socket of the workload's owner uid: on cgroup v1
 *   hosts a rootless container's processes stay in their user's cgroup and show no ID.
 * uid 0 has no rootless socket. With rootless discovery off, no rootless socket is ever asked.
 */
export class RuntimeEndpointResolver {
  readonly #docker: RuntimeEndpoint;
  readonly #podman: RuntimeEndpoint;
  readonly #dockerOnly: readonly RuntimeEndpoint[];
  readonly #podmanOnly: readonly RuntimeEndpoint[];
  readonly #rootlessTemplate: string | undefined;

  constructor(settings: RuntimeResolverSettings) {
    this.#docker = Object.freeze({
      kind: 'docker',
      socketPath: socketPathFromUrl(settings.dockerSocketPath),
    });
    this.#podman = Object.freeze({
      kind: 'podman',
      socketPath: socketPathFromUrl(settings.podmanSocketPath),
    });
    this.#dockerOnly = Object.freeze([this.#docker]);
    this.#podmanOnly = Object.freeze([this.#podman]);
    if (settings.rootlessPodmanDiscovery) {
      validatePodmanSocketTemplate(settings.podmanSocketPathTemplate);
      this.#rootlessTemplate = settings.podmanSocketPathTemplate;
    }
  }

  endpointsFor(workload: WorkloadFacts): readonly RuntimeEndpoint[] {
    const { location } = workload;
    if (location.kind === 'not_in_container') return this.#rootless(this.#uidOf(workload));
    switch (location.runtime) {
      case 'docker':
        return this.#dockerOnly;
      case 'podman':
        // The socket is the process owner's, never the user the cgroup path names (a path is
        // not proof); the attestor has checked that the two agree.
        return location.rootlessUid === undefined
          ? this.#podmanOnly
          : [...this.#rootless(this.#uidOf(workload)), this.#podman];
      case 'unknown':
        return [this.#docker, this.#podman, ...this.#rootless(this.#uidOf(workload))];
    }
  }

  #rootless(uid: number): RuntimeEndpoint[] {
    if (this.#rootlessTemplate === undefined || uid === 0) return [];
    return [
      {
        kind: 'podman-rootless',
        socketPath: expandPodmanSocketTemplate(this.#rootlessTemplate, uid),
        ownerUid: uid,
      },
    ];
  }

  #uidOf(workload: WorkloadFacts): number {
    if (workload.uid === undefined)
      throw new RangeError('the workload uid is needed when the cgroup does not name the runtime');
    return workload.uid;
  }
}
