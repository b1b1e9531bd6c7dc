export { type IdentityDecision, IdentityPolicy } from './identity-policy.js';
export {
  ImageSignatureVerification,
  type ImageSignatureVerificationDependencies,
  type SigstoreSettings,
  SLSA_PROVENANCE_TYPES,
} from './image-signature-verification.js';
export { signatureAttributes } from './signature-attributes.js';
export {
  type CacheLookup,
  VERIFICATION_CACHE_TTL_MS,
  VerificationCache,
} from './verification-cache.js';
export {
  classifyFailure,
  decideSignatures,
  type ProvenanceEvidence,
  requireProvenance,
  type SignatureEvidence,
  type VerificationOutcome,
} from './verification-outcome.js';
