export {
  AgentPid,
  attestorModules,
  Factories,
  Ports,
  type SignatureVerificationFactory,
  type WorkloadAttestorFactory,
} from './modules.js';
export {
  createSignatureVerification,
  type SignatureVerificationHandle,
  type TrustedRootStatus,
} from './signature-verification.js';
export {
  createWorkloadIdentity,
  type WorkloadIdentityFactory,
  type WorkloadIdentityHandle,
} from './workload-identity.js';
