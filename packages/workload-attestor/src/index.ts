export {
  attestationErrorToJson,
  type AttestationJson,
  attestationToJson,
  identityToJson,
} from './attestation-json.js';
export { type CachedContainer, ContainerMetadataCache } from './container-metadata-cache.js';
export { AttestationError, type AttestationErrorCode } from './errors.js';
export {
  type Attestation,
  WorkloadAttestor,
  type WorkloadAttestorDependencies,
} from './workload-attestor.js';
export {
  IdentityError,
  type IdentityErrorCode,
  IdentityPolicy,
  type IdentitySelection,
  type IssuedIdentity,
  refusal,
  type RenderedSubject,
  spiffeIdOf,
} from './workload-identity.js';
