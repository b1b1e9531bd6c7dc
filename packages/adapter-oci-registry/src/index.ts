export { COSIGN, CosignImageRegistry } from './cosign-image-registry.js';
export { digestOf, verifyDigest } from './digest.js';
export {
  DockerConfigError,
  type DockerConfigErrorCode,
  readDockerConfigCredentials,
  type RegistryCredentials,
} from './docker-config.js';
export {
  type Descriptor,
  type FetchedManifest,
  OciRegistryClient,
  type OciRegistryOptions,
  type RegistryTransport,
} from './oci-registry-client.js';
export { type AuthChallenge, parseAuthenticateHeader } from './www-authenticate.js';
