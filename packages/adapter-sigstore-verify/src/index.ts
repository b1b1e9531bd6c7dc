export { SigstoreSignatureVerifier, legacyBundleJson } from './sigstore-signature-verifier.js';
