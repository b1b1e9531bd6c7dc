export {
  OciRegistryClient,
  type OciRegistryOptions,
  type RegistryTransport,
  type FetchedManifest,
  type Descriptor,
} from './oci-registry-client.js';
export { readDockerConfigCredentials, type RegistryCredentials } from './docker-config.js';
export { parseAuthenticateHeader, type AuthChallenge } from './www-authenticate.js';
export { digestOf, verifyDigest } from './digest.js';
export { CosignImageRegistry, COSIGN } from './cosign-image-registry.js';
