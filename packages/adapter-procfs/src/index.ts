export { CgroupfsCgroupTree, cgroupMounts } from './cgroupfs-cgroup-tree.js';
export { type MissingPrivilege, missingPrivileges } from './pid-namespace.js';
export {
  parsePidNamespaceLink,
  parseRealUid,
  parseStartTime,
  ProcfsProcessTable,
} from './procfs-process-table.js';
