import { describe, expect, it } from 'vitest';

import {
  RuntimeEndpointResolver,
  type RuntimeResolverSettings,
  type WorkloadFacts,
} from './resolve-endpoints.js';

const ID = 'f'.repeat(64);
const settings: RuntimeResolverSettings = {
  dockerSocketPath: 'unix:///var/run/docker.sock',
  podmanSocketPath: 'unix:///run/podman/podman.sock',
  podmanSocketPathTemplate: 'unix:///run/user/%d/podman/podman.sock',
  rootlessPodmanDiscovery: true,
};
const docker = { kind: 'docker', socketPath: '/var/run/docker.sock' };
const podman = { kind: 'podman', socketPath: '/run/podman/podman.sock' };
const rootless = (uid: number) => ({
  kind: 'podman-rootless',
  socketPath: `/run/user/${String(uid)}/podman/podman.sock`,
  ownerUid: uid,
});

function resolveRuntimeEndpoints(
  resolverSettings: RuntimeResolverSettings,
  workload: WorkloadFacts,
): readonly unknown[] {
  return new RuntimeEndpointResolver(resolverSettings).endpointsFor(workload);
}

describe(RuntimeEndpointResolver, () => {
  describe('having a Docker hint', () => {
    it('asks Docker only', () => {
      const location = { kind: 'container', containerId: ID, runtime: 'docker' } as const;
      expect(resolveRuntimeEndpoints(settings, { location, uid: 1000 })).toStrictEqual([docker]);
    });
  });

  describe('having a rootful Podman hint', () => {
    it('asks rootful Podman only', () => {
      const location = { kind: 'container', containerId: ID, runtime: 'podman' } as const;
      expect(resolveRuntimeEndpoints(settings, { location, uid: 0 })).toStrictEqual([podman]);
    });
  });

  describe('having a rootless Podman hint', () => {
    const location = {
      kind: 'container',
      containerId: ID,
      runtime: 'podman',
      rootlessUid: 1001,
    } as const;

    it('asks the socket of the process owner (never the uid the path names), then rootful Podman', () => {
      expect(resolveRuntimeEndpoints(settings, { location, uid: 1001 })).toStrictEqual([
        rootless(1001),
        podman,
      ]);
      // Whatever the path says, the process decides: the attestor refuses a disagreement.
      expect(resolveRuntimeEndpoints(settings, { location, uid: 1002 })).toStrictEqual([
        rootless(1002),
        podman,
      ]);
    });

    it('skips the rootless socket when discovery is off', () => {
      expect(
        resolveRuntimeEndpoints(
          { ...settings, rootlessPodmanDiscovery: false },
          { location, uid: 1001 },
        ),
      ).toStrictEqual([podman]);
    });
  });

  describe('having an ID without a hint', () => {
    const location = { kind: 'container', containerId: ID, runtime: 'unknown' } as const;

    it('asks Docker, rootful Podman, then the rootless socket of the workload uid', () => {
      expect(resolveRuntimeEndpoints(settings, { location, uid: 1000 })).toStrictEqual([
        docker,
        podman,
        rootless(1000),
      ]);
    });

    it('asks no rootless socket for uid 0', () => {
      expect(resolveRuntimeEndpoints(settings, { location, uid: 0 })).toStrictEqual([
        docker,
        podman,
      ]);
    });
  });

  describe('having no container ID', () => {
    const location = { kind: 'not_in_container' } as const;

    it('asks the rootless socket of the workload uid', () => {
      expect(resolveRuntimeEndpoints(settings, { location, uid: 1000 })).toStrictEqual([
        rootless(1000),
      ]);
    });

    it('asks nobody for root or with discovery off', () => {
      expect(resolveRuntimeEndpoints(settings, { location, uid: 0 })).toStrictEqual([]);
      expect(
        resolveRuntimeEndpoints(
          { ...settings, rootlessPodmanDiscovery: false },
          { location, uid: 1000 },
        ),
      ).toStrictEqual([]);
    });
  });

  describe('having no uid', () => {
    it('needs none when the cgroup names the runtime', () => {
      const location = { kind: 'container', containerId: ID, runtime: 'docker' } as const;
      expect(resolveRuntimeEndpoints(settings, { location })).toStrictEqual([docker]);
    });

    it('refuses to guess when the runtime is unknown', () => {
      const location = { kind: 'container', containerId: ID, runtime: 'unknown' } as const;
      expect(() => resolveRuntimeEndpoints(settings, { location })).toThrow(
        'the workload uid is needed',
      );
    });
  });

  describe('having a custom template', () => {
    it('substitutes the uid into it', () => {
      const location = { kind: 'not_in_container' } as const;
      expect(
        resolveRuntimeEndpoints(
          { ...settings, podmanSocketPathTemplate: 'unix:///var/lib/podman-%d.sock' },
          { location, uid: 7 },
        ),
      ).toStrictEqual([
        { kind: 'podman-rootless', socketPath: '/var/lib/podman-7.sock', ownerUid: 7 },
      ]);
    });
  });

  describe('having an invalid socket URL', () => {
    it('throws naming the URL', () => {
      const location = { kind: 'not_in_container' } as const;
      expect(() =>
        resolveRuntimeEndpoints(
          { ...settings, dockerSocketPath: 'tcp://1.2.3.4:2375' },
          { location, uid: 0 },
        ),
      ).toThrow('"tcp://1.2.3.4:2375"');
    });
  });

  describe('being built', () => {
    it('refuses an invalid rootless template up front, and ignores it with discovery off', () => {
      const template = 'unix:///run/user/%s/podman.sock';
      expect(
        () => new RuntimeEndpointResolver({ ...settings, podmanSocketPathTemplate: template }),
      ).toThrow('must contain exactly one %d placeholder');
      const off = new RuntimeEndpointResolver({
        ...settings,
        podmanSocketPathTemplate: template,
        rootlessPodmanDiscovery: false,
      });
      const location = { kind: 'container', containerId: ID, runtime: 'unknown' } as const;
      expect(off.endpointsFor({ location, uid: 1000 })).toStrictEqual([docker, podman]);
    });

    it('answers every workload from the one parse, and nobody can change its answer', () => {
      const resolver = new RuntimeEndpointResolver(settings);
      const location = { kind: 'container', containerId: ID, runtime: 'docker' } as const;
      const first = resolver.endpointsFor({ location });
      expect(resolver.endpointsFor({ location })).toBe(first);
      expect(Object.isFrozen(first) && Object.isFrozen(first[0])).toBe(true);
    });
  });
});
