export {
  ProcfsProcessTable,
  parseStartTime,
  parseRealUid,
  parsePidNamespaceLink,
} from './procfs-process-table.js';
