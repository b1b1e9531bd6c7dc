export {
  createSignatureVerification,
  type SignatureVerificationHandle,
} from './signature-verification.js';
