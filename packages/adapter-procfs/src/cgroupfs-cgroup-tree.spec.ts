import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CgroupfsCgroupTree, cgroupMounts } from './cgroupfs-cgroup-tree.js';

const MOUNTINFO = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '50 23 0:38 /docker/abc /mnt/with\\040space rw - cgroup2 cgroup2 rw',
  '',
].join('\n');

describe(cgroupMounts, () => {
  it('reads the cgroup v1 and v2 mounts, their roots and mount points', () => {
    expect(cgroupMounts(MOUNTINFO)).toStrictEqual([
      { hierarchy: 'cpu,cpuacct', root: '/', mountPoint: '/sys/fs/cgroup/cpu,cpuacct' },
      { hierarchy: 'pids', root: '/', mountPoint: '/sys/fs/cgroup/pids' },
      { hierarchy: 'name=systemd,xattr', root: '/', mountPoint: '/sys/fs/cgroup/systemd' },
      { hierarchy: 'cgroup2', root: '/', mountPoint: '/sys/fs/cgroup/unified' },
      { hierarchy: 'cgroup2', root: '/docker/abc', mountPoint: '/mnt/with space' },
    ]);
  });
});

describe(CgroupfsCgroupTree, () => {
  let dir = '';
  let tree: CgroupfsCgroupTree;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attestor-cgroupfs-'));
    const pids = join(dir, 'pids');
    await mkdir(join(pids, 'docker', 'c1'), { recursive: true });
    await mkdir(join(pids, 'user.slice', 'user-1000.slice', 'docker', 'c1'), { recursive: true });
    await chown(join(pids, 'user.slice', 'user-1000.slice'), 1000, 1000);
    await chown(join(pids, 'user.slice', 'user-1000.slice', 'docker'), 1000, 1000);
    await chown(join(pids, 'user.slice', 'user-1000.slice', 'docker', 'c1'), 1000, 1000);
    await writeFile(
      join(dir, 'mountinfo'),
      `39 31 0:36 / ${pids} rw,relatime - cgroup cgroup rw,pids\n`,
    );
    tree = new CgroupfsCgroupTree(join(dir, 'mountinfo'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the owner of every directory from the hierarchy root down', () => {
    expect(tree.directoryOwners(12, 'pids', '/docker/c1')).toStrictEqual([0, 0, 0]);
    expect(tree.directoryOwners(12, 'pids', '/user.slice/user-1000.slice/docker/c1')).toStrictEqual(
      [0, 0, 1000, 1000, 1000],
    );
  });

  it('says undefined for a hierarchy not mounted, a missing path or a path that climbs', () => {
    expect(tree.directoryOwners(0, '', '/docker/c1')).toBeUndefined();
    expect(tree.directoryOwners(12, 'pids', '/docker/gone')).toBeUndefined();
    expect(tree.directoryOwners(12, 'pids', '/docker/../docker/c1')).toBeUndefined();
  });
});
