export {
  containerIdFromCgroup,
  type ContainerLocation,
  type RuntimeHint,
} from './container-location.js';
export { parseCgroupLines, type CgroupLine } from './cgroup-line.js';
export { CgroupError, type CgroupErrorCode } from './errors.js';
export { cgroupMembership, type CgroupMembership } from './cgroup-membership.js';
