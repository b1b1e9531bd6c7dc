export { loadConfig, type ConfigLoadResult } from './load-config.js';
export {
  formatIssue,
  type ConfigNode,
  type ConfigMap,
  type ConfigEntry,
  type ConfigSequence,
  type ConfigScalar,
  type ConfigIssue,
} from './config-node.js';
export {
  DEFAULT_CONFIG,
  DEFAULT_DOCKER_CONFIG,
  DEFAULT_AGENT_CONFIG,
  DEFAULT_REKOR_URL,
  type AttestorConfig,
  type DockerAttestationConfig,
  type SigstoreConfig,
  type RegistrySettings,
  DEFAULT_VERIFICATION_TIMEOUT_MS,
  DEFAULT_TUF_MIRROR_URL,
  DEFAULT_TUF_CACHE_PATH,
  type AgentConfig,
  type LogLevel,
  type WorkloadIdentityConfig,
} from './model.js';
export { nearestName } from './suggest.js';
export { EMBEDDED_DEFAULT_CONFIG, DEFAULT_CONFIG_PATH } from './embedded-config.js';
