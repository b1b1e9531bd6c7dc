export { RuntimeResolverError, type RuntimeResolverErrorCode } from './errors.js';
export {
  RuntimeEndpointResolver,
  type RuntimeResolverSettings,
  type WorkloadFacts,
} from './resolve-endpoints.js';
export {
  checkSocketPathLength,
  expandPodmanSocketTemplate,
  MAX_UNIX_SOCKET_PATH_BYTES,
  socketPathFromUrl,
  validatePodmanSocketTemplate,
} from './socket-url.js';
