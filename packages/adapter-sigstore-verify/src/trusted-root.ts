import { CodedError } from '@attestor/ports';
import { PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';

/** A trusted root that must not be verified against; the message names the field. */
export class TrustedRootError extends CodedError<'invalid_trusted_root'> {
  static override readonly brand = '@attestor/adapter-sigstore-verify/TrustedRootError';
  override readonly name = 'TrustedRootError';

  constructor(message: string) {
    super('invalid_trusted_root', message);
  }
}

const MEDIA_TYPES = [
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
];

type KeyFinder = Parameters<typeof toTrustMaterial>[1];

/**
 * The trust material of a trusted_root.json, checked first against the rules of the Sigstore
 * client specification that sigstore-js does not enforce itself. sigstore-js reads a missing
 * `validFor.start` as the beginning of time, which makes a log key or a CA valid for every
 * signature ever made; here the root is refused instead:
 * - the media type is a trusted root's;
 * - every transparency log and CT log has a public key (raw bytes, a known key type) whose
 *   `validFor.start` is set, and a log ID;
 * - every certificate authority and timestamp authority has a certificate chain and a
 *   `validFor.start`;
 * - no validity period ends before it starts.
 * Validity ends are inclusive (sigstore-js compares with `<=`): a time equal to the end is in.
 */
export function trustMaterialFrom(trustedRootJson: unknown, keys?: KeyFinder): TrustMaterial {
  const root = parseTrustedRoot(trustedRootJson);
  return toTrustMaterial(root, keys);
}

function parseTrustedRoot(json: unknown): TrustedRoot {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new TrustedRootError('the trusted root is not a JSON object');
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !MEDIA_TYPES.includes(mediaType)) {
    throw new TrustedRootError(
      `mediaType must be one of ${MEDIA_TYPES.join(', ')}, got ${JSON.stringify(typeof mediaType === 'string' ? mediaType.slice(0, 100) : (mediaType ?? null))}`,
    );
  }
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
  } catch (error) {
    throw new TrustedRootError(
      `the trusted root does not parse: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const logs = [
    ...root.tlogs.map((log, index) => ({ log, field: `tlogs[${String(index)}]` })),
    ...root.ctlogs.map((log, index) => ({ log, field: `ctlogs[${String(index)}]` })),
  ];
  for (const { log, field } of logs) {
    const key = log.publicKey;
    if (key?.rawBytes === undefined || key.rawBytes.length === 0)
      throw new TrustedRootError(`${field}.publicKey.rawBytes is missing`);
    if (key.keyDetails === PublicKeyDetails.PUBLIC_KEY_DETAILS_UNSPECIFIED)
      throw new TrustedRootError(`${field}.publicKey.keyDetails is missing`);
    checkValidity(key.validFor, `${field}.publicKey.validFor`);
    if (log.logId === undefined || log.logId.keyId.length === 0)
      throw new TrustedRootError(`${field}.logId.keyId is missing`);
  }
  const authorities = [
    ...root.certificateAuthorities.map((ca, index) => ({
      ca,
      field: `certificateAuthorities[${String(index)}]`,
    })),
    ...root.timestampAuthorities.map((ca, index) => ({
      ca,
      field: `timestampAuthorities[${String(index)}]`,
    })),
  ];
  for (const { ca, field } of authorities) {
    if (ca.certChain === undefined || ca.certChain.certificates.length === 0)
      throw new TrustedRootError(`${field}.certChain has no certificate`);
    checkValidity(ca.validFor, `${field}.validFor`);
  }
  return root;
}

function checkValidity(
  validFor: { readonly start?: Date | undefined; readonly end?: Date | undefined } | undefined,
  field: string,
): void {
  if (validFor?.start === undefined)
    throw new TrustedRootError(
      `${field}.start is missing: a key or authority with no start would be valid for every time`,
    );
  if (validFor.end !== undefined && validFor.end.getTime() < validFor.start.getTime())
    throw new TrustedRootError(`${field} ends before it starts`);
}
