export type { CgroupTree } from './cgroup-tree.js';
export type { Clock } from './clock.js';
export { CodedError } from './coded-error.js';
export type {
  ContainerDetails,
  ContainerRuntime,
  ImageDetails,
  ImageIdentity,
  RuntimeEndpoint,
  RuntimeKind,
} from './container-runtime.js';
export { ContainerRuntimeError, type ContainerRuntimeErrorCode } from './container-runtime.js';
export type {
  AttestationArtifact,
  ImageDigestReference,
  ImageRegistry,
  SignatureArtifact,
} from './image-registry.js';
export type { LogFields, Logger, LogValue } from './logger.js';
export type {
  AttestationMetrics,
  AttestationOutcome,
  CacheLookupResult,
  ReloadResult,
} from './metrics.js';
export type { ProcessHandle, ProcessIdentity, ProcessTable } from './process-table.js';
export { ProcessTableError, type ProcessTableErrorCode } from './process-table.js';
export { RemoteServiceError, type RemoteServiceErrorCode } from './remote-service-error.js';
export type {
  SignatureVerifier,
  SignerIdentity,
  VerificationResultClass,
  VerifiedSignature,
} from './signature-verifier.js';
export {
  SignatureVerificationError,
  type SignatureVerificationErrorCode,
  VERIFICATION_RESULT_CLASSES,
} from './signature-verifier.js';
export type { TransparencyLog, TransparencyLogEntry } from './transparency-log.js';
export type {
  JwtSvid,
  SvidAuthority,
  SvidSubject,
  TrustBundle,
  WorkloadCaller,
  WorkloadIdentityProvider,
  X509Svid,
} from './workload-identity.js';
export { WorkloadIdentityError, type WorkloadIdentityErrorCode } from './workload-identity.js';
