import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';

import type { SerializedBundle, SerializedEnvelope } from '@sigstore/bundle';

import type { SignerIdentity, TestCertificateAuthority } from './test-ca.js';
import type { TestTimestampAuthority } from './timestamp-authority.js';
import type { LogEntryEvidence, TestTransparencyLog } from './transparency-log.js';

type VerificationMaterial = SerializedBundle['verificationMaterial'];
type TLogEntry = VerificationMaterial['tlogEntries'][number];
type MessageSignature = NonNullable<SerializedBundle['messageSignature']>;

/**
 * The certificate variant of a bundle's verification material. The bundle type is a one-of
 * that spells out the other variants as undefined (they vanish when serialized).
 */
function keylessMaterial(
  certificateDer: Buffer,
  tlogEntries: TLogEntry[],
  timestampVerificationData?: VerificationMaterial['timestampVerificationData'],
): VerificationMaterial {
  return {
    certificate: { rawBytes: certificateDer.toString('base64') },
    x509CertificateChain: undefined,
    publicKey: undefined,
    tlogEntries,
    timestampVerificationData,
  };
}

/** A bundle content of a message signature (the other variant of the one-of undefined). */
function messageContent(message: MessageSignature) {
  return { messageSignature: message, dsseEnvelope: undefined };
}

/** A bundle content of a DSSE envelope. */
function dsseContent(envelope: SerializedEnvelope) {
  return { dsseEnvelope: envelope, messageSignature: undefined };
}

/** Canonical JSON (sorted keys, no spaces) of a JSON value, as Rekor canonicalizes bodies. */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalize(record[key])}`)
    .join(',')}}`;
}

/** The canonical body of a hashedrekord v0.0.1 entry: the artifact digest, signature and key. */
function hashedrekordBody(digest: Buffer, signature: Buffer, verifierPem: string): Buffer {
  return Buffer.from(
    canonicalize({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
        signature: {
          content: signature.toString('base64'),
          publicKey: { content: Buffer.from(verifierPem).toString('base64') },
        },
      },
    }),
  );
}

/**
 * The bundle's transparency-log entry. A Rekor v1 entry carries the signed entry timestamp
 * (inclusion promise) and the time it vouches for; a Rekor v2 entry (version 0.0.2) has
 * neither, only the inclusion proof.
 */
function tlogEntry(evidence: LogEntryEvidence, kind: string, rekor: 'v1' | 'v2' = 'v1'): TLogEntry {
  return {
    logIndex: String(evidence.logIndex),
    logId: { keyId: Buffer.from(evidence.logId, 'hex').toString('base64') },
    ...(rekor === 'v1'
      ? {
          kindVersion: { kind, version: '0.0.1' },
          integratedTime: String(evidence.integratedTime),
          inclusionPromise: {
            signedEntryTimestamp: evidence.signedEntryTimestamp.toString('base64'),
          },
        }
      : {
          kindVersion: { kind, version: '0.0.2' },
          integratedTime: '0',
          inclusionPromise: undefined,
        }),
    inclusionProof: {
      logIndex: String(evidence.inclusionProof.logIndex),
      rootHash: evidence.inclusionProof.rootHash.toString('base64'),
      treeSize: String(evidence.inclusionProof.treeSize),
      hashes: evidence.inclusionProof.hashes.map((hash) => hash.toString('base64')),
      checkpoint: { envelope: evidence.inclusionProof.checkpoint },
    },
    canonicalizedBody: evidence.body.toString('base64'),
  };
}

/**
 * Signs `artifact` keylessly: a fresh Fulcio-style certificate for `identity`, an ECDSA
 * signature, a hashedrekord entry in the log, and the Sigstore bundle v0.3 of it all.
 */
export async function signArtifact(
  artifact: Buffer,
  identity: SignerIdentity,
  ca: TestCertificateAuthority,
  log: TestTransparencyLog,
): Promise<{
  bundle: SerializedBundle;
  certificatePem: string;
  signature: Buffer;
  evidence: LogEntryEvidence;
}> {
  const certificate = await ca.issue(identity);
  const signature = sign('sha256', artifact, createPrivateKey(certificate.privateKeyPem));
  const digest = createHash('sha256').update(artifact).digest();
  const body = hashedrekordBody(digest, signature, certificate.pem);
  const evidence = log.append(body);
  const bundle: SerializedBundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: keylessMaterial(certificate.der, [tlogEntry(evidence, 'hashedrekord')]),
    ...messageContent({
      messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
      signature: signature.toString('base64'),
    }),
  };
  return { bundle, certificatePem: certificate.pem, signature, evidence };
}

/**
 * Signs `artifact` keylessly the way clients of Rekor v2 do: a hashedrekord v0.0.2 entry,
 * whose log evidence is an inclusion proof with a signed checkpoint and no signed entry
 * timestamp, and an RFC 3161 timestamp over the signature from `tsa` for the signing time.
 */
export async function signArtifactRekorV2(
  artifact: Buffer,
  identity: SignerIdentity,
  ca: TestCertificateAuthority,
  log: TestTransparencyLog,
  tsa: TestTimestampAuthority,
): Promise<{ bundle: SerializedBundle; signature: Buffer }> {
  const certificate = await ca.issue(identity);
  const signature = sign('sha256', artifact, createPrivateKey(certificate.privateKeyPem));
  const digest = createHash('sha256').update(artifact).digest();
  const body = Buffer.from(
    canonicalize({
      apiVersion: '0.0.2',
      kind: 'hashedrekord',
      spec: {
        hashedRekordV002: {
          data: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
          signature: {
            content: signature.toString('base64'),
            verifier: {
              keyDetails: 'PKIX_ECDSA_P256_SHA_256',
              x509Certificate: { rawBytes: certificate.der.toString('base64') },
            },
          },
        },
      },
    }),
  );
  const bundle = await rekorV2Bundle(certificate.der, log.append(body), 'hashedrekord', {
    signature,
    tsa,
    content: messageContent({
      messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
      signature: signature.toString('base64'),
    }),
  });
  return { bundle, signature };
}

/**
 * A bundle v0.3 whose log evidence is a Rekor v2 entry (inclusion proof only) and whose signing
 * time is an RFC 3161 timestamp over `signature` from `tsa`.
 */
async function rekorV2Bundle(
  certificateDer: Buffer,
  evidence: LogEntryEvidence,
  kind: 'hashedrekord' | 'dsse',
  {
    signature,
    tsa,
    content,
  }: {
    signature: Buffer;
    tsa: TestTimestampAuthority;
    content: ReturnType<typeof messageContent> | ReturnType<typeof dsseContent>;
  },
): Promise<SerializedBundle> {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: keylessMaterial(certificateDer, [tlogEntry(evidence, kind, 'v2')], {
      rfc3161Timestamps: [{ signedTimestamp: (await tsa.timestamp(signature)).toString('base64') }],
    }),
    ...content,
  };
}

/**
 * A v0.3 bundle of this module rewritten in the older media types: v0.1 and v0.2 carry the
 * certificate as a one-element `x509CertificateChain` (v0.3 has `certificate`); otherwise the
 * same content, which both versions allow (v0.1 requires the signed entry timestamp, v0.2 the
 * inclusion proof; this module's Rekor v1 entries have both).
 */
export function asBundleVersion(
  bundle: SerializedBundle,
  version: '0.1' | '0.2',
): SerializedBundle {
  const { certificate, tlogEntries, timestampVerificationData } = bundle.verificationMaterial;
  if (certificate === undefined) throw new Error('not a keyless v0.3 bundle of the test stack');
  return {
    ...bundle,
    mediaType: `application/vnd.dev.sigstore.bundle+json;version=${version}`,
    verificationMaterial: {
      x509CertificateChain: { certificates: [certificate] },
      certificate: undefined,
      publicKey: undefined,
      tlogEntries,
      timestampVerificationData,
    },
  };
}

/** The certificate chain and Rekor bundle as cosign's legacy layer annotations carry them. */
function cosignAnnotations(
  leafPem: string,
  ca: TestCertificateAuthority,
  evidence: LogEntryEvidence,
): { certificateChainPem: string[]; rekorBundleJson: string } {
  return {
    certificateChainPem: [leafPem, ca.intermediate.toString('pem'), ca.root.toString('pem')].map(
      (pem) => (pem.endsWith('\n') ? pem : `${pem}\n`),
    ),
    rekorBundleJson: JSON.stringify({
      SignedEntryTimestamp: evidence.signedEntryTimestamp.toString('base64'),
      Payload: {
        body: evidence.body.toString('base64'),
        integratedTime: evidence.integratedTime,
        logIndex: evidence.logIndex,
        logID: evidence.logId,
      },
    }),
  };
}

/** DSSE pre-authentication encoding. */
function pae(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `DSSEv1 ${String(Buffer.byteLength(payloadType))} ${payloadType} ${String(payload.length)} `,
    ),
    payload,
  ]);
}

/** Signs an in-toto statement keylessly into a DSSE envelope: a fresh certificate, PAE, ECDSA. */
async function signDsseKeyless(
  statement: Record<string, unknown>,
  identity: SignerIdentity,
  ca: TestCertificateAuthority,
) {
  const certificate = await ca.issue(identity);
  const payloadType = 'application/vnd.in-toto+json';
  const payload = Buffer.from(JSON.stringify(statement));
  const signature = sign(
    'sha256',
    pae(payloadType, payload),
    createPrivateKey(certificate.privateKeyPem),
  );
  const envelope = {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: '', sig: signature.toString('base64') }],
  };
  return { certificate, payloadType, payload, signature, envelope };
}

/** An in-toto v1 statement about an image digest. */
export function imageStatement(
  imageName: string,
  digest: string,
  predicateType: string,
  predicate: unknown = {},
): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: imageName, digest: { sha256: digest.replace(/^sha256:/, '') } }],
    predicateType,
    predicate,
  };
}

/**
 * Signs an in-toto statement keylessly into a DSSE envelope, logs a `dsse` entry, and returns
 * the Sigstore bundle v0.3 (the form cosign v3 attaches as an OCI referrer).
 */
export async function signStatement(
  statement: Record<string, unknown>,
  identity: SignerIdentity,
  ca: TestCertificateAuthority,
  log: TestTransparencyLog,
): Promise<{
  bundle: SerializedBundle;
  envelope: SerializedEnvelope;
  certificatePem: string;
  evidence: LogEntryEvidence;
}> {
  const { certificate, payload, signature, envelope } = await signDsseKeyless(
    statement,
    identity,
    ca,
  );
  const body = Buffer.from(
    canonicalize({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: {
          algorithm: 'sha256',
          value: createHash('sha256').update(canonicalize(envelope)).digest('hex'),
        },
        payloadHash: {
          algorithm: 'sha256',
          value: createHash('sha256').update(payload).digest('hex'),
        },
        signatures: [
          {
            signature: signature.toString('base64'),
            verifier: Buffer.from(certificate.pem).toString('base64'),
          },
        ],
      },
    }),
  );
  const evidence = log.append(body);
  const bundle: SerializedBundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: keylessMaterial(certificate.der, [tlogEntry(evidence, 'dsse')]),
    ...dsseContent(envelope),
  };
  return { bundle, envelope, certificatePem: certificate.pem, evidence };
}

/**
 * Signs an in-toto statement keylessly the way clients of Rekor v2 do (a cosign v3 signature
 * or attestation on a Rekor v2 log): a dsse v0.0.2 entry proven by an inclusion proof with a
 * signed checkpoint, no signed entry timestamp, and an RFC 3161 timestamp over the envelope
 * signature from `tsa`.
 */
export async function signStatementRekorV2(
  statement: Record<string, unknown>,
  identity: SignerIdentity,
  ca: TestCertificateAuthority,
  log: TestTransparencyLog,
  tsa: TestTimestampAuthority,
): Promise<{ bundle: SerializedBundle }> {
  const { certificate, payload, signature, envelope } = await signDsseKeyless(
    statement,
    identity,
    ca,
  );
  const body = Buffer.from(
    canonicalize({
      apiVersion: '0.0.2',
      kind: 'dsse',
      spec: {
        dsseV002: {
          payloadHash: {
            algorithm: 'SHA2_256',
            digest: createHash('sha256').update(payload).digest('base64'),
          },
          signatures: [
            {
              content: signature.toString('base64'),
              verifier: {
                keyDetails: 'PKIX_ECDSA_P256_SHA_256',
                x509Certificate: { rawBytes: certificate.der.toString('base64') },
              },
            },
          ],
        },
      },
    }),
  );
  return {
    bundle: await rekorV2Bundle(certificate.der, log.append(body), 'dsse', {
      signature,
      tsa,
      content: dsseContent(envelope),
    }),
  };
}

/**
 * A cosign legacy image signature: the simple-signing payload for `imageName@digest`, signed
 * keylessly, with the certificate chain and cosign's Rekor bundle (SignedEntryTimestamp and
 * Payload), as cosign stores them in the annotations of a `sha256-<hex>.sig` layer.
 */
export async function signImageLegacy(
  imageName: string,
  digest: string,
  identity: SignerIdentity,
  ca: TestCertificateAuthority,
  log: TestTransparencyLog,
): Promise<{
  payload: Buffer;
  signatureBase64: string;
  certificateChainPem: string[];
  rekorBundleJson: string;
}> {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': imageName },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
  const { signature, certificatePem, evidence } = await signArtifact(payload, identity, ca, log);
  return {
    payload,
    signatureBase64: signature.toString('base64'),
    ...cosignAnnotations(certificatePem, ca, evidence),
  };
}

/**
 * A cosign legacy attestation (`cosign attest` before bundles): a DSSE envelope over an
 * in-toto statement, signed keylessly, logged as an `intoto` v0.0.2 entry, with the
 * certificate chain and cosign's Rekor bundle as the `sha256-<hex>.att` layer annotations.
 */
export async function signAttestationLegacy(
  statement: Record<string, unknown>,
  identity: SignerIdentity,
  ca: TestCertificateAuthority,
  log: TestTransparencyLog,
): Promise<{ envelopeJson: string; certificateChainPem: string[]; rekorBundleJson: string }> {
  const { certificate, payloadType, payload, signature, envelope } = await signDsseKeyless(
    statement,
    identity,
    ca,
  );
  const envelopeJson = JSON.stringify(envelope);
  const body = Buffer.from(
    canonicalize({
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: {
        content: {
          envelope: {
            payloadType,
            // Rekor stores the signature base64-encoded once more, and the verifier's PEM.
            signatures: [
              {
                sig: Buffer.from(signature.toString('base64')).toString('base64'),
                publicKey: Buffer.from(certificate.pem).toString('base64'),
              },
            ],
          },
          hash: {
            algorithm: 'sha256',
            value: createHash('sha256').update(envelopeJson).digest('hex'),
          },
          payloadHash: {
            algorithm: 'sha256',
            value: createHash('sha256').update(payload).digest('hex'),
          },
        },
      },
    }),
  );
  const evidence = log.append(body);
  return {
    envelopeJson,
    ...cosignAnnotations(certificate.pem, ca, evidence),
  };
}

/**
 * Signs `artifact` with a long-lived key (no certificate): a hashedrekord entry naming the
 * public key, and a bundle v0.3 whose verification material is a public key hint.
 */
export function signArtifactWithKey(
  artifact: Buffer,
  privateKeyPem: string,
  log: TestTransparencyLog,
): { bundle: SerializedBundle; publicKeyPem: string } {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKeyPem = createPublicKey(privateKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const signature = sign('sha256', artifact, privateKey);
  const digest = createHash('sha256').update(artifact).digest();
  const body = hashedrekordBody(digest, signature, publicKeyPem);
  const evidence = log.append(body);
  return {
    publicKeyPem,
    bundle: {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        publicKey: { hint: 'attestor-test-key' },
        certificate: undefined,
        x509CertificateChain: undefined,
        tlogEntries: [tlogEntry(evidence, 'hashedrekord')],
        timestampVerificationData: undefined,
      },
      ...messageContent({
        messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
        signature: signature.toString('base64'),
      }),
    },
  };
}
