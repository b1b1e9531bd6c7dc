/**
 * The cgroup hierarchies as the host's filesystem shows them, read-only: who owns the
 * directories of a cgroup path. A directory a user owns is one that user could have named
 * after any container.
 */
export interface CgroupTree {
  /**
   * The owner uid of each directory of `path` on the hierarchy a /proc/<pid>/cgroup line names
   * (`hierarchyId:controllers`), from the hierarchy's root down to `path` itself; undefined
   * when that hierarchy is not mounted where the agent can see it, or the path does not exist
   * (any more). Throws nothing.
   */
  directoryOwners(
    hierarchyId: number,
    controllers: string,
    path: string,
  ): readonly number[] | undefined;
}
