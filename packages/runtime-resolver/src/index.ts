export {
  RuntimeEndpointResolver,
  type RuntimeResolverSettings,
  type WorkloadFacts,
} from './resolve-endpoints.js';
export {
  checkSocketPathLength,
  MAX_UNIX_SOCKET_PATH_BYTES,
  socketPathFromUrl,
  expandPodmanSocketTemplate,
  validatePodmanSocketTemplate,
} from './socket-url.js';
export { RuntimeResolverError, type RuntimeResolverErrorCode } from './errors.js';
