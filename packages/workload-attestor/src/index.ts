export {
  WorkloadAttestor,
  type Attestation,
  type WorkloadAttestorDependencies,
} from './workload-attestor.js';
export { AttestationError, type AttestationErrorCode } from './errors.js';
export { ContainerMetadataCache, type CachedContainer } from './container-metadata-cache.js';
export {
  attestationToJson,
  attestationErrorToJson,
  identityToJson,
  ATTESTATION_ERROR_STATUS,
  type AttestationJson,
} from './attestation-json.js';
export { imageDigestReference } from './image-reference.js';
export { IdentityError, spiffeIdOf, type IdentityErrorCode } from './workload-identity.js';
