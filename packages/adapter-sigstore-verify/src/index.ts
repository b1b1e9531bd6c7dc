export { SigstoreSignatureVerifier, legacyBundleJson } from './sigstore-signature-verifier.js';
export { verifySigstoreBundle, type BundleVerificationRequest } from './verify-bundle.js';
export {
  TufSignatureVerifier,
  fetchTrustedRootThroughTuf,
  type TufOptions,
} from './tuf-trusted-root.js';
export { TrustedRootError, trustMaterialFrom } from './trusted-root.js';
