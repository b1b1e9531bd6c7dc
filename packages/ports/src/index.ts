export { CodedError } from './coded-error.js';
export type { Clock } from './clock.js';
export type { Logger, LogFields, LogValue } from './logger.js';
export type { ProcessHandle, ProcessIdentity, ProcessTable } from './process-table.js';
export { ProcessTableError, type ProcessTableErrorCode } from './process-table.js';
export type {
  ContainerRuntime,
  ContainerDetails,
  ImageDetails,
  RuntimeEndpoint,
  RuntimeKind,
} from './container-runtime.js';
export { ContainerRuntimeError, type ContainerRuntimeErrorCode } from './container-runtime.js';
export type {
  ImageRegistry,
  ImageDigestReference,
  SignatureArtifact,
  AttestationArtifact,
} from './image-registry.js';
export type { TransparencyLog, TransparencyLogEntry } from './transparency-log.js';
export type {
  SignatureVerifier,
  VerifiedSignature,
  VerificationResultClass,
  SignerIdentity,
} from './signature-verifier.js';
export {
  SignatureVerificationError,
  type SignatureVerificationErrorCode,
  VERIFICATION_RESULT_CLASSES,
} from './signature-verifier.js';
export type { AttestationMetrics, AttestationOutcome, CacheLookupResult } from './metrics.js';
export { RemoteServiceError, type RemoteServiceErrorCode } from './remote-service-error.js';
export type { CgroupTree } from './cgroup-tree.js';
