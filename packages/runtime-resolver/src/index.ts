export {
  RuntimeEndpointResolver,
  type RuntimeResolverSettings,
  type WorkloadFacts,
} from './resolve-endpoints.js';
export {
  socketPathFromUrl,
  expandPodmanSocketTemplate,
  validatePodmanSocketTemplate,
} from './socket-url.js';
export { RuntimeResolverError, type RuntimeResolverErrorCode } from './errors.js';
