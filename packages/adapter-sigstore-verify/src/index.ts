export { SigstoreSignatureVerifier, legacyBundleJson } from './sigstore-signature-verifier.js';
export { verifySigstoreBundle, type BundleVerificationRequest } from './verify-bundle.js';
