import {
  type AttributeSetBuilder,
  SIGNATURE_INTEGRATED_TIME,
  SIGNATURE_ISSUER,
  SIGNATURE_LOG_ID,
  SIGNATURE_LOG_INDEX,
  SIGNATURE_SIGNED_ENTRY_TIMESTAMP,
  SIGNATURE_SUBJECT,
  SIGNATURE_VALUE,
} from '@attestor/attributes';
import type { VerifiedSignature } from '@attestor/ports';

/**
 * Adds the docker.image.signature.* attributes of a verified signature. The log attributes are
 * present only when the signature came with a transparency-log entry (skipTransparencyLog false).
 */
export function signatureAttributes(
  builder: AttributeSetBuilder,
  signature: VerifiedSignature,
): AttributeSetBuilder {
  builder
    .string(SIGNATURE_SUBJECT, signature.signer.subject)
    .string(SIGNATURE_ISSUER, signature.signer.issuer)
    .string(SIGNATURE_VALUE, signature.signatureBase64);
  const entry = signature.logEntry;
  if (entry !== undefined) {
    builder.string(SIGNATURE_LOG_ID, entry.logId).uint64(SIGNATURE_LOG_INDEX, entry.logIndex);
    // A Rekor v2 entry has neither: no signed entry timestamp, so no time the log vouches for.
    if (entry.integratedTime !== undefined)
      builder.uint64(SIGNATURE_INTEGRATED_TIME, entry.integratedTime);
    if (entry.signedEntryTimestamp !== undefined)
      builder.string(SIGNATURE_SIGNED_ENTRY_TIMESTAMP, entry.signedEntryTimestamp);
  }
  return builder;
}
