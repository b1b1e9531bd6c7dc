import { describe, expect, it } from 'vitest';

import { containerIdFromCgroup } from './container-location.js';
import { CgroupError } from './errors.js';

const ID = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8);
const OUTER = 'c'.repeat(64);
const OTHER = 'd'.repeat(64);

function v1(path: string): string {
  return [
    `12:pids:${path}`,
    `11:memory:${path}`,
    `4:cpu,cpuacct:${path}`,
    `1:name=systemd:${path}`,
    '0::/',
    '',
  ].join('\n');
}

describe(containerIdFromCgroup, () => {
  describe.each([
    ['Docker cgroupfs (v1)', v1(`/docker/${ID}`), 'docker'],
    ['Docker cgroupfs (v2)', `0::/docker/${ID}\n`, 'docker'],
    ['Docker systemd driver', `0::/system.slice/docker-${ID}.scope\n`, 'docker'],
    ['Docker-in-Docker, inner container', v1(`/docker/${OUTER}/docker/${ID}`), 'docker'],
    [
      'Docker-in-Docker with a trailing segment',
      `0::/docker/${OUTER}/docker/${ID}/init.scope\n`,
      'docker',
    ],
    ['a cgroup namespace', `0::/../${ID}\n`, 'unknown'],
    ['a cgroup namespace, deeper', `0::/../../docker/${ID}\n`, 'docker'],
    ['Podman systemd driver', `0::/machine.slice/libpod-${ID}.scope\n`, 'podman'],
    ['a bare systemd scope', `0::/system.slice/${ID}.scope\n`, 'unknown'],
    ['a bare systemd scope under docker', `0::/docker/${ID}.scope\n`, 'unknown'],
    ['containerd systemd driver', `0::/system.slice/cri-containerd-${ID}.scope\n`, 'unknown'],
    [
      'Podman systemd driver with a sub-cgroup',
      `0::/machine.slice/libpod-${ID}.scope/container\n`,
      'podman',
    ],
    ['Podman cgroupfs (v1)', v1(`/libpod_parent/libpod-${ID}`), 'podman'],
    [
      'kubepods cgroupfs (docker shim)',
      `0::/kubepods/burstable/pod0a1b2c3d-1111-2222-3333-444455556666/${ID}\n`,
      'unknown',
    ],
    [
      'kubepods systemd driver with docker',
      `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b2c3d_1111.slice/docker-${ID}.scope\n`,
      'docker',
    ],
    [
      'kubepods with containerd',
      `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b2c3d_1111.slice:cri-containerd:${ID}\n`,
      'unknown',
    ],
    [
      'kubepods with cri-containerd scope',
      `0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${ID}.scope\n`,
      'unknown',
    ],
    ['kubepods with CRI-O', `0::/kubepods.slice/kubepods-pod1.slice/crio-${ID}.scope\n`, 'unknown'],
  ] as const)('having %s', (_name, text, runtime) => {
    it('returns the container ID and the runtime hint', () => {
      expect(containerIdFromCgroup(text)).toStrictEqual({
        kind: 'container',
        containerId: ID,
        runtime,
      });
    });
  });

  describe('having rootless Podman paths', () => {
    it('returns the owner uid on a systemd (cgroup v2) host', () => {
      const text = `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container\n`;
      expect(containerIdFromCgroup(text)).toStrictEqual({
        kind: 'container',
        containerId: ID,
        runtime: 'podman',
        rootlessUid: 1000,
      });
    });

    it('returns the owner uid for the cgroupfs form', () => {
      const text = `0::/user.slice/user-4242.slice/user@4242.service/user.slice/libpod/${ID}\n`;
      expect(containerIdFromCgroup(text)).toStrictEqual({
        kind: 'container',
        containerId: ID,
        runtime: 'podman',
        rootlessUid: 4242,
      });
    });

    it('accepts the largest uint32 uid', () => {
      const text = `0::/user.slice/user-4294967295.slice/user@4294967295.service/user.slice/libpod-${ID}.scope\n`;
      expect(containerIdFromCgroup(text)).toMatchObject({ rootlessUid: 4294967295 });
    });

    it.each(['4294967296', '99999999999', '-1', '01000', '1e3'])(
      'ignores the out-of-range or odd uid %s',
      (uid) => {
        const text = `0::/user.slice/user-${uid}.slice/user.slice/libpod-${ID}.scope\n`;
        expect(containerIdFromCgroup(text)).toStrictEqual({
          kind: 'container',
          containerId: ID,
          runtime: 'podman',
        });
      },
    );

    it('gives no rootless uid to a Docker container in a user slice', () => {
      const text = `0::/user.slice/user-1000.slice/docker-${ID}.scope\n`;
      expect(containerIdFromCgroup(text)).toStrictEqual({
        kind: 'container',
        containerId: ID,
        runtime: 'docker',
      });
    });
  });

  describe('having a process outside any container', () => {
    it.each([
      ['a host process (v1)', v1('/user.slice/user-1000.slice/session-1.scope')],
      ['a host process (v2)', '0::/init.scope\n'],
      ['the root cgroup', '0::/\n'],
      ['empty text', ''],
      ['Podman conmon', `0::/machine.slice/libpod-conmon-${ID}.scope\n`],
      ['CRI-O conmon', `0::/kubepods.slice/crio-conmon-${ID}.scope\n`],
      ['an ID of the wrong length', `0::/docker/${ID}0\n`],
      ['an upper-case ID', `0::/docker/${ID.toUpperCase()}\n`],
      ['an ID inside a longer segment', `0::/system.slice/foo-${ID}-bar.service\n`],
    ])('returns not_in_container for %s', (_name, text) => {
      expect(containerIdFromCgroup(text)).toStrictEqual({ kind: 'not_in_container' });
    });
  });

  describe('having a hybrid layout', () => {
    it('agrees when v1 and v2 lines name the same container', () => {
      const text = `4:memory:/docker/${ID}\n1:name=systemd:/docker/${ID}\n0::/../${ID}\n`;
      expect(containerIdFromCgroup(text)).toStrictEqual({
        kind: 'container',
        containerId: ID,
        runtime: 'docker',
      });
    });

    it('takes the ID from the lines that have one', () => {
      const text = `4:memory:/docker/${ID}\n0::/\n`;
      expect(containerIdFromCgroup(text)).toMatchObject({ containerId: ID });
    });

    it('calls conflicting runtime hints unknown', () => {
      const text = `4:memory:/docker/${ID}\n0::/machine.slice/libpod-${ID}.scope\n`;
      expect(containerIdFromCgroup(text)).toStrictEqual({
        kind: 'container',
        containerId: ID,
        runtime: 'unknown',
      });
    });
  });

  describe('having two different container IDs', () => {
    it('throws an error naming both', () => {
      const text = `4:memory:/docker/${ID}\n5:pids:/docker/${OTHER}\n`;
      expect(() => containerIdFromCgroup(text)).toThrow(CgroupError);
      expect(() => containerIdFromCgroup(text)).toThrow(new RegExp(`${ID}.*${OTHER}`));
    });
  });

  describe('having a colon inside the path', () => {
    it('keeps the path whole', () => {
      const text = `0::/kubepods.slice/pod.slice:cri-containerd:${ID}\n`;
      expect(containerIdFromCgroup(text)).toMatchObject({ containerId: ID });
    });
  });

  describe('having malformed lines', () => {
    it.each([
      ['no colon at all', 'garbage', 'expected hierarchy-ID:controllers:path'],
      ['one colon', '4:/docker', 'expected hierarchy-ID:controllers:path'],
      ['a non-numeric hierarchy', 'x:memory:/docker', 'hierarchy ID is not a number'],
      ['a relative path', '4:memory:docker/abc', 'path is not absolute'],
    ])('throws for %s, quoting the line', (_name, line, reason) => {
      const text = `0::/\n${line}\n`;
      let caught: unknown;
      try {
        containerIdFromCgroup(text);
      } catch (error) {
        caught = error;
      }
      expect(CgroupError.is(caught)).toBe(true);
      expect((caught as CgroupError).code).toBe('malformed_line');
      expect((caught as CgroupError).message).toBe(
        `malformed cgroup line 2 (${reason}): ${JSON.stringify(line)}`,
      );
    });

    it('bounds the quoted line', () => {
      const line = 'x'.repeat(10_000);
      expect(() => containerIdFromCgroup(line)).toThrow(/"x{200}\.\.\."$/);
    });
  });
});
