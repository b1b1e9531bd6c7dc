import type { RuntimeEndpoint } from '@attestor/ports';
import type { ContainerLocation } from '@attestor/cgroup';

import { expandPodmanSocketTemplate, socketPathFromUrl } from './socket-url.js';

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
   * The workload's real uid (host view). Needed only when the cgroup does not name the runtime
   * (no ID, or runtime unknown); callers may leave it out otherwise and save the read.
   */
  readonly uid?: number;
}

/**
 * The runtime endpoints to ask about a workload, most likely first.
 *
 * - A cgroup path that names the runtime is trusted as a hint: Docker paths ask Docker;
 *   rootful Podman paths ask rootful Podman; rootless Podman paths ask the socket of the uid
 *   in the path (then rootful Podman).
 * - A container ID without a hint asks Docker, rootful Podman, then the rootless socket of the
 *   workload's uid.
 * - No container ID at all still asks the rootless socket of the workload's uid: on cgroup v1
 *   hosts a rootless container's processes stay in their user's cgroup and show no ID.
 * uid 0 has no rootless socket. With rootless discovery off, no rootless socket is ever asked.
 */
export function resolveRuntimeEndpoints(
  settings: RuntimeResolverSettings,
  workload: WorkloadFacts,
): RuntimeEndpoint[] {
  const docker: RuntimeEndpoint = {
    kind: 'docker',
    socketPath: socketPathFromUrl(settings.dockerSocketPath),
  };
  const podman: RuntimeEndpoint = {
    kind: 'podman',
    socketPath: socketPathFromUrl(settings.podmanSocketPath),
  };
  const rootless = (uid: number): RuntimeEndpoint[] =>
    settings.rootlessPodmanDiscovery && uid !== 0
      ? [
          {
            kind: 'podman-rootless',
            socketPath: expandPodmanSocketTemplate(settings.podmanSocketPathTemplate, uid),
            ownerUid: uid,
          },
        ]
      : [];

  const { location } = workload;
  const workloadUid = (): number => {
    if (workload.uid === undefined)
      throw new RangeError('the workload uid is needed when the cgroup does not name the runtime');
    return workload.uid;
  };
  if (location.kind === 'not_in_container') return rootless(workloadUid());
  switch (location.runtime) {
    case 'docker':
      return [docker];
    case 'podman':
      return location.rootlessUid === undefined
        ? [podman]
        : [...rootless(location.rootlessUid), podman];
    case 'unknown':
      return [docker, podman, ...rootless(workloadUid())];
  }
}
