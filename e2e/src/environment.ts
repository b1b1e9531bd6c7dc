/**
 * The real runtimes the e2e suites use, as provisioned by tools/provision/provision.sh (run by
 * `npm test`). Missing provisioning is a failure with instructions, never a silent skip.
 */
export interface E2eEnvironment {
  readonly dockerSocket: string;
  readonly podmanSocket: string;
  readonly rootlessUser: string;
  readonly rootlessUid: number;
  readonly rootlessSocket: string;
  readonly registry: string;
  readonly busybox: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: the e2e suites need the runtimes provisioned by tools/provision/provision.sh. ` +
        'Run them through `npm test`, or run `tools/provision/provision.sh start` as root and export the variables in /run/attestor-e2e/env.',
    );
  }
  return value;
}

export function e2eEnvironment(): E2eEnvironment {
  return {
    dockerSocket: required('ATTESTOR_E2E_DOCKER_SOCKET'),
    podmanSocket: required('ATTESTOR_E2E_PODMAN_SOCKET'),
    rootlessUser: required('ATTESTOR_E2E_ROOTLESS_USER'),
    rootlessUid: Number(required('ATTESTOR_E2E_ROOTLESS_UID')),
    rootlessSocket: required('ATTESTOR_E2E_ROOTLESS_SOCKET'),
    registry: required('ATTESTOR_E2E_REGISTRY'),
    busybox: required('ATTESTOR_E2E_BUSYBOX'),
  };
}

export type RuntimeUnderTest = 'docker' | 'podman' | 'podman-rootless';

/** The socket of a runtime, and its own CLI (for ground truth) as argv prefix. */
export function runtimeAccess(
  runtime: RuntimeUnderTest,
  environment: E2eEnvironment,
): { socket: string; cli: string[] } {
  switch (runtime) {
    case 'docker':
      return {
        socket: environment.dockerSocket,
        cli: ['/usr/bin/docker', '--host', `unix://${environment.dockerSocket}`],
      };
    case 'podman':
      return {
        socket: environment.podmanSocket,
        cli: ['podman', '--url', `unix://${environment.podmanSocket}`],
      };
    case 'podman-rootless':
      return {
        socket: environment.rootlessSocket,
        cli: ['podman', '--url', `unix://${environment.rootlessSocket}`],
      };
  }
}
