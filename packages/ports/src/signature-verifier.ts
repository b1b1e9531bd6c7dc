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

/**
 * Checks the cryptography of one signature over one image digest: certificate chain to a
 * trusted root, transparency-log proof, and that the payload binds `imageDigest`. Identity
 * policy is not its business; it returns who signed. Throws on invalid signatures.
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
