export { IdentityPolicy, type IdentityDecision } from './identity-policy.js';
export {
  decideSignatures,
  requireProvenance,
  classifyFailure,
  type VerificationOutcome,
  type SignatureEvidence,
  type ProvenanceEvidence,
} from './verification-outcome.js';
export { signatureAttributes } from './signature-attributes.js';
export {
  VerificationCache,
  VERIFICATION_CACHE_TTL_MS,
  type CacheLookup,
} from './verification-cache.js';
export {
  ImageSignatureVerification,
  SLSA_PROVENANCE_TYPES,
  type SigstoreSettings,
  type ImageSignatureVerificationDependencies,
} from './image-signature-verification.js';
