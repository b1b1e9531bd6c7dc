export {
  ProcfsProcessTable,
  parseStartTime,
  parseRealUid,
  parsePidNamespaceLink,
} from './procfs-process-table.js';
export { CgroupfsCgroupTree, cgroupMounts } from './cgroupfs-cgroup-tree.js';
