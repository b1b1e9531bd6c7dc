export { legacyBundleJson, SigstoreSignatureVerifier } from './sigstore-signature-verifier.js';
export { TrustedRootError, trustMaterialFrom } from './trusted-root.js';
export {
  fetchTrustedRootThroughTuf,
  type TufOptions,
  TufSignatureVerifier,
} from './tuf-trusted-root.js';
export { type BundleVerificationRequest, verifySigstoreBundle } from './verify-bundle.js';
