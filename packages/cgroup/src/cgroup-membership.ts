import { quote, scanCgroupLines } from './cgroup-line.js';

/**
 * Whether a process is inside a container's cgroups, judged from the two processes' own
 * /proc/<pid>/cgroup texts (the workload's and the container init's, read by the same reader,
 * so in the same cgroup namespace).
 */
export type CgroupMembership =
  | { readonly kind: 'member' }
  | {
      readonly kind: 'outside';
      /** `hierarchy-ID:controllers` of the first hierarchy where the workload is outside. */
      readonly hierarchy: string;
      /** The workload's path there, or undefined when it has no line for that hierarchy. */
      readonly workloadPath: string | undefined;
      readonly containerPath: string;
      /** A sentence for an error message, the paths quoted and bounded. */
      readonly reason: string;
    };

const MEMBER: CgroupMembership = Object.freeze({ kind: 'member' });

/**
 * A process belongs to a container's cgroups when, on every hierarchy, its path equals or
 * descends from the path of the container's init process. The name of a directory proves
 * nothing (anyone with a delegated cgroup subtree can name one after a container ID); the
 * place in the tree that the runtime put the init process in does. Lines that hold no
 * container ID are compared too, and a hierarchy that only one of the two texts lists is a
 * mismatch: both were read on the same host, so they list the same hierarchies.
 *
 * Linear in the two texts. Both must already be well-formed (`containerIdFromCgroup` has read
 * the workload's); a malformed line throws CgroupError like every parser here.
 */
export function cgroupMembership(
  workloadCgroup: string,
  containerInitCgroup: string,
): CgroupMembership {
  if (workloadCgroup === containerInitCgroup) return MEMBER;
  const containerPaths = pathsByHierarchy(containerInitCgroup);
  const seen = new Set<string>();
  // A record, not a closure-assigned variable, so that the type checker sees the write.
  const result: { found?: CgroupMembership } = {};
  // Every line of the workload's, even one that repeats a hierarchy, must be within.
  scanCgroupLines(workloadCgroup, (hierarchyId, controllers, path) => {
    if (result.found !== undefined) return;
    const hierarchy = `${String(hierarchyId)}:${controllers}`;
    seen.add(hierarchy);
    const containerPath = containerPaths.get(hierarchy);
    if (containerPath === undefined) {
      result.found = {
        kind: 'outside',
        hierarchy,
        workloadPath: path,
        containerPath: '',
        reason: `its cgroup hierarchy ${quote(hierarchy)} is not one the container's init process is in`,
      };
    } else if (!isWithin(path, containerPath)) {
      result.found = outside(hierarchy, path, containerPath);
    }
  });
  if (result.found !== undefined) return result.found;
  for (const [hierarchy, containerPath] of containerPaths) {
    if (!seen.has(hierarchy)) return outside(hierarchy, undefined, containerPath);
  }
  return MEMBER;
}

function outside(
  hierarchy: string,
  workloadPath: string | undefined,
  containerPath: string,
): CgroupMembership {
  return {
    kind: 'outside',
    hierarchy,
    workloadPath,
    containerPath,
    reason:
      workloadPath === undefined
        ? `it has no cgroup on hierarchy ${quote(hierarchy)}, where the container's init process is in ${quote(containerPath)}`
        : `on cgroup hierarchy ${quote(hierarchy)} it is in ${quote(workloadPath)}, outside the container's ${quote(containerPath)}`,
  };
}

/** `path` is `ancestor` or below it, comparing whole segments (`/a/b` is not within `/a/bc`). */
function isWithin(path: string, ancestor: string): boolean {
  if (path === ancestor || ancestor === '/') return true;
  return (
    path.length > ancestor.length && path.startsWith(ancestor) && path[ancestor.length] === '/'
  );
}

/** `hierarchy-ID:controllers` -> path. A hierarchy listed twice keeps its first path. */
function pathsByHierarchy(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  scanCgroupLines(text, (hierarchyId, controllers, path) => {
    const hierarchy = `${String(hierarchyId)}:${controllers}`;
    if (!paths.has(hierarchy)) paths.set(hierarchy, path);
  });
  return paths;
}
