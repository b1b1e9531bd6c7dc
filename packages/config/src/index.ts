export {
  type ConfigEntry,
  type ConfigIssue,
  type ConfigMap,
  type ConfigNode,
  type ConfigScalar,
  type ConfigSequence,
  formatIssue,
} from './config-node.js';
export { type ConfigLoadResult, loadConfig } from './load-config.js';
export {
  type AgentConfig,
  type AttestorConfig,
  DEFAULT_AGENT_CONFIG,
  DEFAULT_CONFIG,
  DEFAULT_DOCKER_CONFIG,
  DEFAULT_REKOR_URL,
  DEFAULT_TUF_CACHE_PATH,
  DEFAULT_TUF_MIRROR_URL,
  DEFAULT_VERIFICATION_TIMEOUT_MS,
  DEFAULT_WORKLOAD_IDENTITY,
  type DockerAttestationConfig,
  type IdentityConfig,
  type IdentityMatch,
  type LogLevel,
  type RegistrySettings,
  type SigstoreConfig,
  type UpstreamAuthorityConfig,
  type WorkloadIdentityConfig,
  type X509SubjectTemplates,
} from './model.js';
export { nearestName } from './suggest.js';
