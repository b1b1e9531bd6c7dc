import { lstatSync } from 'node:fs';

import { ProcFileReader } from '@attestor/adapter-io';
import type { CgroupTree } from '@attestor/ports';

/** Where one cgroup hierarchy is mounted: the part of it the mount shows, and where. */
interface CgroupMount {
  /** `cgroup2`, or the controllers (and `name=...`) of a cgroup v1 mount, sorted. */
  readonly hierarchy: string;
  /** The cgroup path at the mount point (`/` unless a sub-tree is bind-mounted). */
  readonly root: string;
  readonly mountPoint: string;
}

/** A host with thousands of containers has a few MiB of mounts; more than this is refused. */
const MAX_MOUNTINFO_BYTES = 8 * 1024 * 1024;

/** mountinfo escapes spaces, tabs, newlines and backslashes in paths as octal. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/** The cgroup mounts of a mountinfo text (`/proc/self/mountinfo`). */
export function cgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const fields = line.slice(0, separator).split(' ');
    const [fstype, , superOptions = ''] = line.slice(separator + 3).split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    let hierarchy: string;
    if (fstype === 'cgroup2') hierarchy = 'cgroup2';
    else if (fstype === 'cgroup')
      hierarchy = superOptions
        .split(',')
        .filter(
          (option) => option !== 'rw' && option !== 'ro' && !option.startsWith('release_agent'),
        )
        .sort()
        .join(',');
    else continue;
    mounts.push({
      hierarchy,
      root: unescapeMountPath(root),
      mountPoint: unescapeMountPath(mountPoint),
    });
  }
  return mounts;
}

/**
 * The CgroupTree port over the cgroup filesystems mounted on this host, found through
 * `/proc/self/mountinfo` (read once). Owners are read with lstat, never following a link.
 */
export class CgroupfsCgroupTree implements CgroupTree {
  #mounts: CgroupMount[] | undefined;

  /** `mountinfoPath`: /proc/self/mountinfo, or a fixture in tests. */
  constructor(private readonly mountinfoPath = '/proc/self/mountinfo') {}

  directoryOwners(
    hierarchyId: number,
    controllers: string,
    path: string,
  ): readonly number[] | undefined {
    const wanted =
      hierarchyId === 0 && controllers === '' ? 'cgroup2' : controllers.split(',').sort().join(',');
    const mount = this.#mountsRead().find(
      (candidate) =>
        candidate.hierarchy === wanted &&
        (path === candidate.root ||
          path.startsWith(candidate.root === '/' ? '/' : `${candidate.root}/`)),
    );
    if (mount === undefined) return undefined;
    const below = path.slice(mount.root === '/' ? 0 : mount.root.length);
    const segments = below.split('/').filter((segment) => segment !== '');
    const owners: number[] = [];
    let directory = mount.mountPoint;
    try {
      owners.push(lstatSync(directory).uid);
      for (const segment of segments) {
        if (segment === '..' || segment === '.') return undefined;
        directory = `${directory}/${segment}`;
        const stat = lstatSync(directory);
        if (!stat.isDirectory()) return undefined;
        owners.push(stat.uid);
      }
    } catch {
      return undefined;
    }
    return owners;
  }

  /**
   * The cgroup mounts, read once. A mountinfo that cannot be read (or is over the bound) is
   * no mounts, so every owner check answers undefined (which refuses); it is read again next
   * time instead of being remembered.
   */
  #mountsRead(): CgroupMount[] {
    if (this.#mounts === undefined) {
      try {
        // A reader of its own, not kept: its buffer is as large as the bound.
        this.#mounts = cgroupMounts(
          new ProcFileReader(MAX_MOUNTINFO_BYTES).read(this.mountinfoPath),
        );
      } catch {
        return [];
      }
    }
    return this.#mounts;
  }
}
