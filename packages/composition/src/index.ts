export {
  createSignatureVerification,
  parseImageReference,
  type SignatureVerificationHandle,
} from './signature-verification.js';
