export {
  AgentPid,
  attestationModule,
  Factories,
  hostModule,
  metricsModule,
  Ports,
  runtimeModule,
  type SignatureVerificationFactory,
  sigstoreModule,
  type WorkloadAttestorFactory,
} from './modules.js';
export {
  createSignatureVerification,
  type SignatureVerificationHandle,
} from './signature-verification.js';
