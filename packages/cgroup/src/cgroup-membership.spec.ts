import { describe, expect, it } from 'vitest';

import { cgroupMembership } from './cgroup-membership.js';
import { CgroupError } from './errors.js';

const ID = '0123456789abcdef'.repeat(4);

/** A hybrid host's cgroup text: v1 controllers at `path`, the unified hierarchy at `unified`. */
function hybrid(path: string, unified = '/'): string {
  return [
    `12:pids:${path}`,
    `11:memory:${path}`,
    `1:name=systemd:${path}`,
    `0::${unified}`,
    '',
  ].join('\n');
}

describe(cgroupMembership, () => {
  describe('having a workload in the container init’s own cgroups', () => {
    it.each([
      ['the same text', hybrid(`/docker/${ID}`), hybrid(`/docker/${ID}`)],
      [
        'a sub-cgroup on every hierarchy',
        hybrid(`/docker/${ID}/worker`, '/x'),
        hybrid(`/docker/${ID}`, '/x'),
      ],
      [
        'lines in another order',
        `0::/docker/${ID}\n12:pids:/docker/${ID}\n`,
        `12:pids:/docker/${ID}\n0::/docker/${ID}\n`,
      ],
      [
        'an init at the root of a hierarchy',
        hybrid(`/docker/${ID}`, '/anything'),
        hybrid(`/docker/${ID}`, '/'),
      ],
    ])('says member for %s', (_case, workload, init) => {
      expect(cgroupMembership(workload, init)).toStrictEqual({ kind: 'member' });
    });
  });

  describe('having a workload outside the container init’s cgroups', () => {
    it('says outside for a directory named after the container elsewhere in the tree', () => {
      // The forged membership: a delegated subtree with a directory named after the ID.
      const forged = hybrid(`/user.slice/user-1000.slice/docker/${ID}`);
      expect(cgroupMembership(forged, hybrid(`/docker/${ID}`))).toStrictEqual({
        kind: 'outside',
        hierarchy: '12:pids',
        workloadPath: `/user.slice/user-1000.slice/docker/${ID}`,
        containerPath: `/docker/${ID}`,
        reason: `on cgroup hierarchy "12:pids" it is in "/user.slice/user-1000.slice/docker/${ID}", outside the container's "/docker/${ID}"`,
      });
    });

    it('says outside when only one hierarchy differs, even one without an ID', () => {
      const workload = hybrid(`/docker/${ID}`, '/user.slice/session-1.scope');
      const result = cgroupMembership(workload, hybrid(`/docker/${ID}`, '/docker/x'));
      expect(result).toMatchObject({
        kind: 'outside',
        hierarchy: '0:',
        workloadPath: '/user.slice/session-1.scope',
      });
    });

    it('compares whole segments: /docker/<id>x is not below /docker/<id>', () => {
      expect(cgroupMembership(`0::/docker/${ID}x\n`, `0::/docker/${ID}\n`)).toMatchObject({
        kind: 'outside',
      });
    });

    it('says outside when the workload lacks a hierarchy the init is in', () => {
      expect(
        cgroupMembership(`12:pids:/docker/${ID}\n`, `12:pids:/docker/${ID}\n0::/docker/${ID}\n`),
      ).toMatchObject({ kind: 'outside', hierarchy: '0:', workloadPath: undefined });
    });

    it('says outside when the workload is in a hierarchy the init is not', () => {
      expect(
        cgroupMembership(`12:pids:/docker/${ID}\n3:cpu:/docker/${ID}\n`, `12:pids:/docker/${ID}\n`),
      ).toMatchObject({ kind: 'outside', hierarchy: '3:cpu' });
    });

    it('checks every line, even a repeated hierarchy', () => {
      expect(
        cgroupMembership(`0::/docker/${ID}\n0::/elsewhere\n`, `0::/docker/${ID}\n`),
      ).toMatchObject({ kind: 'outside', workloadPath: '/elsewhere' });
    });

    it('bounds the paths it quotes', () => {
      const long = `/${'x'.repeat(5000)}`;
      const result = cgroupMembership(`0::${long}\n`, `0::/docker/${ID}\n`);
      expect(result.kind === 'outside' ? result.reason.length : 0).toBeLessThan(600);
    });
  });

  it('throws malformed_line for a malformed text', () => {
    let code: string | undefined;
    try {
      cgroupMembership('garbage\n', `0::/docker/${ID}\n`);
    } catch (error) {
      if (CgroupError.is(error)) code = error.code;
    }
    expect(code).toBe('malformed_line');
  });
});
