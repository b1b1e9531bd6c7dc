import { createHash, createPublicKey } from 'node:crypto';

import { SignatureVerificationError } from '@attestor/ports';
import { p256, p384 } from '@noble/curves/nist.js';
import { bundleFromJSON, isBundleWithDsseEnvelope } from '@sigstore/bundle';
import { toSignedEntity, Verifier } from '@sigstore/verify';

import { TrustedRootError, trustMaterialFrom } from './trusted-root.js';
import { verificationErrorFrom } from './verification-error.js';

export interface BundleVerificationRequest {
  readonly bundleJson: string;
  /** The artifact's bytes, or only its digest (`sha256:<hex>`, for DSSE bundles). */
  readonly artifact: { readonly bytes: Buffer } | { readonly sha256Hex: string };
  /** Keyless: the exact certificate identity and OIDC issuer. Key-based: a PEM public key. */
  readonly signer:
    | { readonly certificateIdentity: string; readonly certificateOidcIssuer: string }
    | { readonly publicKeyPem: string };
  readonly trustedRootJson: unknown;
}

/**
 * Verifies one Sigstore bundle over one artifact, as the sigstore-conformance client protocol
 * asks (`attestor sigstore verify-bundle`): certificate chain (or the given key), transparency
 * log evidence and timestamps per the trusted root, the signature over the artifact, the
 * bundle being about that artifact, and, for keyless bundles, the exact identity and issuer.
 * Throws a SignatureVerificationError when anything does not verify, coded by the check that
 * refused, or a TrustedRootError for a trusted root that must not be used.
 */
export function verifySigstoreBundle(request: BundleVerificationRequest): void {
  try {
    verifyBundle(request);
  } catch (error) {
    throw TrustedRootError.is(error) ? error : verificationErrorFrom(error);
  }
}

function verifyBundle(request: BundleVerificationRequest): void {
  const bundle = bundleFromJSON(JSON.parse(request.bundleJson));
  const { signer } = request;
  const keyed = 'publicKeyPem' in signer;
  const trustMaterial = trustMaterialFrom(
    request.trustedRootJson,
    keyed
      ? () => ({ publicKey: createPublicKey(signer.publicKeyPem), validFor: () => true })
      : undefined,
  );
  const verifier = new Verifier(trustMaterial, {
    ctlogThreshold: keyed ? 0 : trustMaterial.ctlogs.length > 0 ? 1 : 0,
    tlogThreshold: 1,
  });
  const dsse = isBundleWithDsseEnvelope(bundle);
  const entity = toSignedEntity(
    bundle,
    'bytes' in request.artifact && !dsse ? request.artifact.bytes : Buffer.alloc(0),
  );
  // A message signature (hashedrekord) from the digest alone, as the conformance protocol and
  // sigstore-python allow: the signature is checked over the prehashed digest the bundle
  // names, which must be the digest given (compared below, with the tlog entry's by sigstore-js).
  if (!('bytes' in request.artifact) && bundle.content.$case === 'messageSignature') {
    const { messageSignature } = bundle.content;
    if (
      messageSignature.messageDigest.digest.toString('hex') !==
      request.artifact.sha256Hex.toLowerCase()
    )
      throw new SignatureVerificationError('digest_mismatch', 'the bundle signs another artifact');
    entity.signature = prehashedSignature(
      messageSignature.messageDigest.digest,
      messageSignature.signature,
      entity.signature,
    );
  }
  const verified = verifier.verify(entity);
  // Exact comparison: sigstore-js's policy matching treats a string as a pattern, so a prefix
  // of the identity would pass it.
  if (!keyed) {
    const subject = verified.identity?.subjectAlternativeName;
    const issuer = verified.identity?.extensions?.issuer;
    if (subject !== signer.certificateIdentity || issuer !== signer.certificateOidcIssuer) {
      throw new SignatureVerificationError(
        'identity_mismatch',
        `the bundle was signed by ${JSON.stringify(subject ?? null)} (issuer ${JSON.stringify(issuer ?? null)}), not the expected identity`,
      );
    }
  }
  // The bundle must be about this artifact: its message digest, or an in-toto subject.
  const expected =
    'bytes' in request.artifact
      ? createHash('sha256').update(request.artifact.bytes).digest('hex')
      : request.artifact.sha256Hex.toLowerCase();
  const { content } = bundle;
  if (content.$case === 'dsseEnvelope') {
    const statement = JSON.parse(content.dsseEnvelope.payload.toString('utf8')) as {
      subject?: { digest?: { sha256?: string } }[];
    };
    if (
      !(statement.subject ?? []).some(
        (subject) => subject.digest?.sha256?.toLowerCase() === expected,
      )
    ) {
      throw new SignatureVerificationError(
        'digest_mismatch',
        'the bundle statement does not name the artifact',
      );
    }
  } else if (content.messageSignature.messageDigest.digest.toString('hex') !== expected) {
    throw new SignatureVerificationError('digest_mismatch', 'the bundle signs another artifact');
  }
}

type SignatureContent = ReturnType<typeof toSignedEntity>['signature'];

/**
 * The signature content of a message signature verified over its digest: sigstore-js checks a
 * message signature by hashing the artifact, which a digest-only request does not have. ECDSA
 * (P-256, P-384) signs the digest itself, so it can be checked without the artifact; other key
 * types cannot, and are refused.
 */
function prehashedSignature(
  digest: Buffer,
  signature: Buffer,
  content: SignatureContent,
): SignatureContent {
  return {
    signature,
    compareSignature: (candidate) => content.compareSignature(candidate),
    compareDigest: (candidate) => content.compareDigest(candidate),
    compareSignedDigest: (candidate) => content.compareSignedDigest(candidate),
    verifySignature: (key) => {
      const jwk = key.export({ format: 'jwk' });
      const curve = jwk.crv === 'P-256' ? p256 : jwk.crv === 'P-384' ? p384 : undefined;
      if (curve === undefined || jwk.x === undefined || jwk.y === undefined) {
        throw new SignatureVerificationError(
          'unsupported',
          `a message signature by a ${jwk.kty ?? 'unknown'} ${jwk.crv ?? ''} key is verified over the artifact itself: pass the file, not its digest`,
        );
      }
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x, 'base64url'),
        Buffer.from(jwk.y, 'base64url'),
      ]);
      return curve.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
    },
  };
}
