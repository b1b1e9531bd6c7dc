import { SignatureVerificationError, type SignatureVerificationErrorCode } from '@attestor/ports';

/** sigstore-js's VerificationError and PolicyError codes, by the check that refused. */
const SIGSTORE_CODES: Readonly<Record<string, SignatureVerificationErrorCode>> = {
  CERTIFICATE_ERROR: 'untrusted_certificate',
  PUBLIC_KEY_ERROR: 'untrusted_certificate',
  UNTRUSTED_SIGNER_ERROR: 'untrusted_certificate',
  SIGNATURE_ERROR: 'invalid_signature',
  TLOG_ERROR: 'transparency_log_invalid',
  TLOG_INCLUSION_PROOF_ERROR: 'transparency_log_invalid',
  TLOG_INCLUSION_PROMISE_ERROR: 'transparency_log_invalid',
  TLOG_MISSING_INCLUSION_ERROR: 'transparency_log_invalid',
  TLOG_BODY_ERROR: 'transparency_log_invalid',
  TIMESTAMP_ERROR: 'timestamp_invalid',
  NOT_IMPLEMENTED_ERROR: 'unsupported',
};

/**
 * Any failure of verifying one signature as a SignatureVerificationError: sigstore-js's coded
 * errors by their code, the bundle library's ValidationError and JSON syntax errors as
 * `malformed_signature`. The original is kept as the cause.
 */
export function verificationErrorFrom(error: unknown): SignatureVerificationError {
  if (SignatureVerificationError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const sigstoreCode = (error as { code?: unknown } | null)?.code;
  const code =
    typeof sigstoreCode === 'string' && Object.hasOwn(SIGSTORE_CODES, sigstoreCode)
      ? SIGSTORE_CODES[sigstoreCode]
      : undefined;
  return new SignatureVerificationError(code ?? 'malformed_signature', message, { cause: error });
}
