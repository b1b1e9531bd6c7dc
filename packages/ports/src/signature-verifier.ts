import { CodedError } from './coded-error.js';
import type { AttestationArtifact, SignatureArtifact } from './image-registry.js';
import type { TransparencyLogEntry } from './transparency-log.js';

/** The result classes of the specification, used as the `result` label of the metrics. */
export const VERIFICATION_RESULT_CLASSES = [
  'verified',
  'not_signed',
  'identity_mismatch',
  'network_error',
  'timeout',
  'cancelled',
  'error',
] as const;
export type VerificationResultClass = (typeof VERIFICATION_RESULT_CLASSES)[number];

/** Who signed: the OIDC issuer and the subject it vouched for, from the signing certificate. */
export interface SignerIdentity {
  readonly issuer: string;
  readonly subject: string;
}

/** A signature whose cryptography checked out, and the identity it binds. */
export interface VerifiedSignature {
  readonly signer: SignerIdentity;
  readonly signatureBase64: string;
  /** Present unless the transparency log check was skipped. */
  readonly logEntry?: TransparencyLogEntry;
  /** For a signed in-toto statement: its predicate type, as signed (not as annotated). */
  readonly predicateType?: string;
}

export type SignatureVerificationErrorCode =
  /** The bundle, the annotation or the envelope cannot be read as what it claims to be. */
  | 'malformed_signature'
  /** The signing certificate or key does not chain to the trusted root, or was not valid then. */
  | 'untrusted_certificate'
  /** The signature is not over the payload (tampered signature or payload). */
  | 'invalid_signature'
  /** The transparency-log entry is missing, or its proof, promise or body does not check out. */
  | 'transparency_log_invalid'
  /** A signed timestamp does not check out. */
  | 'timestamp_invalid'
  /** The signed payload is not for this image digest (a signature copied from another image). */
  | 'digest_mismatch'
  /** Signed by someone other than the identity the caller asked for. */
  | 'identity_mismatch'
  /** The certificate names no subject or no OIDC issuer, so there is no one to match a policy. */
  | 'no_signer_identity'
  /** A form of signature the verifier does not implement. */
  | 'unsupported';

/** One signature did not verify; the code says which check refused it. */
export class SignatureVerificationError extends CodedError<SignatureVerificationErrorCode> {
  static override readonly brand = '@attestor/ports/SignatureVerificationError';
  override readonly name = 'SignatureVerificationError';
}

/**
 * Checks the cryptography of one signature over one image digest: certificate chain to a
 * trusted root, transparency-log proof, and that the payload binds `imageDigest`. Identity
 * policy is not its business; it returns who signed. An invalid signature is a
 * SignatureVerificationError; a failure to reach a service it needs is a RemoteServiceError.
 */
export interface SignatureVerifier {
  verify(
    artifact: SignatureArtifact,
    imageDigest: string,
    options: { readonly requireTransparencyLog: boolean; readonly signal?: AbortSignal },
  ): Promise<VerifiedSignature>;
  /**
   * Checks a signed in-toto attestation the same way; the result's `predicateType` is the
   * signed statement's, and the statement must name `imageDigest` as a subject.
   */
  verifyAttestation(
    artifact: AttestationArtifact,
    imageDigest: string,
    options: { readonly requireTransparencyLog: boolean; readonly signal?: AbortSignal },
  ): Promise<VerifiedSignature>;
}
