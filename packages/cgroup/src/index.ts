export { type CgroupLine, parseCgroupLines } from './cgroup-line.js';
export { type CgroupMembership, cgroupMembership } from './cgroup-membership.js';
export {
  containerIdFromCgroup,
  type ContainerLocation,
  type RuntimeHint,
} from './container-location.js';
export { CgroupError, type CgroupErrorCode } from './errors.js';
