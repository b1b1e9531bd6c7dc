import { createHash } from 'node:crypto';

import { JsonShape } from '@attestor/adapter-io';
import {
  type AttestationArtifact,
  type SignatureArtifact,
  SignatureVerificationError,
  type SignatureVerifier,
  type TransparencyLog,
  type TransparencyLogEntry,
  type VerifiedSignature,
} from '@attestor/ports';
import { type Bundle, bundleFromJSON, isBundleWithDsseEnvelope } from '@sigstore/bundle';
import { toSignedEntity, type TrustMaterial, Verifier } from '@sigstore/verify';

import { trustMaterialFrom } from './trusted-root.js';
import { verificationErrorFrom } from './verification-error.js';

const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

function pemToDerBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** The checks of cosign's Rekor bundle annotation, which the registry serves: untrusted. */
const REKOR_ANNOTATION = new JsonShape(
  (field, expected) =>
    new SignatureVerificationError(
      'malformed_signature',
      `the cosign Rekor bundle annotation: ${field} is not ${expected}`,
    ),
);

/** The log entry in cosign's Rekor bundle annotation (SignedEntryTimestamp + Payload). */
function legacyTlogEntries(rekorBundleJson: string | undefined): Record<string, unknown>[] {
  if (rekorBundleJson === undefined) return [];
  const shape = REKOR_ANNOTATION;
  const rekor = shape.record(JSON.parse(rekorBundleJson), 'the annotation');
  const payload = shape.record(rekor['Payload'], 'Payload');
  const signedEntryTimestamp = shape.string(rekor['SignedEntryTimestamp'], 'SignedEntryTimestamp');
  const body = shape.string(payload['body'], 'Payload.body');
  const integratedTime = shape.integer(payload['integratedTime'], 'Payload.integratedTime');
  const logIndex = shape.integer(payload['logIndex'], 'Payload.logIndex');
  const logID = shape.string(payload['logID'], 'Payload.logID');
  const entry = shape.record(
    JSON.parse(Buffer.from(body, 'base64').toString('utf8')),
    'Payload.body, decoded',
  );
  return [
    {
      logIndex: String(logIndex),
      logId: { keyId: Buffer.from(logID, 'hex').toString('base64') },
      kindVersion: { kind: String(entry['kind']), version: String(entry['apiVersion']) },
      integratedTime: String(integratedTime),
      inclusionPromise: { signedEntryTimestamp },
      canonicalizedBody: body,
    },
  ];
}

function certificateChain(pems: readonly string[]): Record<string, unknown> {
  return { certificates: pems.map((pem) => ({ rawBytes: pemToDerBase64(pem) })) };
}

/**
 * The Sigstore bundle (v0.1, which allows a log entry without an inclusion proof) equivalent to
 * a cosign legacy artifact: its certificate chain, the log entry from cosign's Rekor bundle
 * annotation, and `content` (the signature or the DSSE envelope).
 */
function legacyBundle(
  artifact: { readonly certificateChainPem: readonly string[]; readonly rekorBundleJson?: string },
  content: Record<string, unknown>,
): Record<string, unknown> {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: certificateChain(artifact.certificateChainPem),
      tlogEntries: legacyTlogEntries(artifact.rekorBundleJson),
    },
    ...content,
  };
}

/** The bundle equivalent to a cosign legacy signature: the simple-signing payload's digest and signature. */
export function legacyBundleJson(
  artifact: Extract<SignatureArtifact, { format: 'cosign-legacy' }>,
): Record<string, unknown> {
  return legacyBundle(artifact, {
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(artifact.payload).digest('base64'),
      },
      signature: artifact.signatureBase64,
    },
  });
}

/** The bundle equivalent to a cosign legacy attestation: its DSSE envelope. */
function legacyAttestationBundleJson(
  artifact: Extract<AttestationArtifact, { format: 'cosign-legacy' }>,
): Record<string, unknown> {
  return legacyBundle(artifact, { dsseEnvelope: JSON.parse(artifact.envelopeJson) as unknown });
}

/** The image digest a simple-signing payload or an in-toto statement binds, or undefined. */
function boundDigest(payload: Buffer, kind: 'simple-signing' | 'in-toto'): readonly string[] {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return [];
  }
  if (typeof json !== 'object' || json === null) return [];
  if (kind === 'simple-signing') {
    const critical = (
      json as { critical?: { type?: unknown; image?: { 'docker-manifest-digest'?: unknown } } }
    ).critical;
    const digest = critical?.image?.['docker-manifest-digest'];
    return critical?.type === COSIGN_SIGNATURE_TYPE && typeof digest === 'string' ? [digest] : [];
  }
  const subjects = (json as { subject?: unknown }).subject;
  if (!Array.isArray(subjects)) return [];
  return subjects.flatMap((subject: unknown) => {
    const sha256 = (subject as { digest?: { sha256?: unknown } } | null)?.digest?.sha256;
    return typeof sha256 === 'string' ? [`sha256:${sha256}`] : [];
  });
}

function statementPredicateType(payload: Buffer): string | undefined {
  try {
    const statement = JSON.parse(payload.toString('utf8')) as { predicateType?: unknown };
    return typeof statement.predicateType === 'string' ? statement.predicateType : undefined;
  } catch {
    return undefined;
  }
}

/** A bundle to verify, what it signs when it is not inside it, and how to read that. */
interface BundleSource {
  readonly json: unknown;
  readonly payload: Buffer | undefined;
  readonly kind: 'simple-signing' | 'in-toto';
}

/**
 * The SignatureVerifier port on sigstore-js, against an explicit trusted root: the
 * certificate chains to a trusted CA at the time the transparency log vouches for (Fulcio
 * certificates live ten minutes), the log entry's signed timestamp and inclusion proof check
 * out, the signature is over the payload, and the payload binds the image digest. Identity
 * policy is not applied here: the signer identity is returned for the domain's anchored globs
 * (sigstore-js's own policy matching uses unanchored regular expressions).
 */
export class SigstoreSignatureVerifier implements SignatureVerifier {
  readonly #trustMaterial: TrustMaterial;

  /**
   * `transparencyLog`, when given, is asked for the log entry of a cosign legacy signature
   * that carries none (no Rekor bundle annotation) when the log is required.
   */
  constructor(
    trustedRootJson: unknown,
    private readonly transparencyLog?: TransparencyLog,
  ) {
    // Throws TrustedRootError for a root that breaks the client specification's rules.
    this.#trustMaterial = trustMaterialFrom(trustedRootJson);
  }

  async verify(
    artifact: SignatureArtifact,
    imageDigest: string,
    options: { readonly requireTransparencyLog: boolean; readonly signal?: AbortSignal },
  ): Promise<VerifiedSignature> {
    if (
      artifact.format === 'cosign-legacy' &&
      artifact.rekorBundleJson === undefined &&
      options.requireTransparencyLog &&
      this.transparencyLog !== undefined
    ) {
      const rekorBundleJson = await this.#lookUp(artifact, options.signal);
      if (rekorBundleJson !== undefined)
        return this.verify({ ...artifact, rekorBundleJson }, imageDigest, options);
    }
    return this.#verifySignature(artifact, imageDigest, options);
  }

  /**
   * The log entry of a legacy signature, from the transparency log: an entry for the
   * payload's digest whose body carries this very signature, in cosign's Rekor bundle form.
   * Network failures propagate (they are the verification's result, not the signature's).
   */
  async #lookUp(
    artifact: Extract<SignatureArtifact, { format: 'cosign-legacy' }>,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const entries = await this.transparencyLog?.findEntriesForArtifact(
      createHash('sha256').update(artifact.payload).digest('hex'),
      signal,
    );
    const entry = entries?.find((candidate) => {
      try {
        const body = JSON.parse(Buffer.from(candidate.bodyBase64, 'base64').toString('utf8')) as {
          spec?: { signature?: { content?: unknown } };
        };
        return body.spec?.signature?.content === artifact.signatureBase64;
      } catch {
        return false;
      }
    });
    if (entry === undefined) return undefined;
    return JSON.stringify({
      SignedEntryTimestamp: entry.signedEntryTimestamp,
      Payload: {
        body: entry.bodyBase64,
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: entry.logId,
      },
    });
  }

  #verifySignature(
    artifact: SignatureArtifact,
    imageDigest: string,
    options: { readonly requireTransparencyLog: boolean; readonly signal?: AbortSignal },
  ): Promise<VerifiedSignature> {
    const source = (): BundleSource =>
      artifact.format === 'cosign-legacy'
        ? {
            json: legacyBundleJson(artifact),
            payload: Buffer.from(artifact.payload),
            kind: 'simple-signing',
          }
        : { json: JSON.parse(artifact.bundleJson) as unknown, payload: undefined, kind: 'in-toto' };
    return this.#settle(options, source, imageDigest);
  }

  verifyAttestation(
    artifact: AttestationArtifact,
    imageDigest: string,
    options: { readonly requireTransparencyLog: boolean; readonly signal?: AbortSignal },
  ): Promise<VerifiedSignature> {
    const source = (): BundleSource => ({
      json:
        artifact.format === 'cosign-legacy'
          ? legacyAttestationBundleJson(artifact)
          : (JSON.parse(artifact.bundleJson) as unknown),
      payload: undefined,
      kind: 'in-toto',
    });
    return this.#settle(options, source, imageDigest);
  }

  #settle(
    options: { readonly requireTransparencyLog: boolean; readonly signal?: AbortSignal },
    source: () => BundleSource,
    imageDigest: string,
  ): Promise<VerifiedSignature> {
    try {
      options.signal?.throwIfAborted();
      return Promise.resolve(this.#verify(source(), imageDigest, options.requireTransparencyLog));
    } catch (error) {
      // An abort is the caller's, not the signature's: it stays what the signal made it.
      const aborted = options.signal?.aborted === true && error instanceof Error;
      return Promise.reject(aborted ? error : verificationErrorFrom(error));
    }
  }

  #verify(
    source: BundleSource,
    imageDigest: string,
    requireTransparencyLog: boolean,
  ): VerifiedSignature {
    // skipTransparencyLog: the log evidence is neither checked nor used, so a keyless
    // certificate has no trusted time to be valid at and fails, as the specification warns.
    const withoutLog = (json: unknown): unknown => {
      if (requireTransparencyLog || typeof json !== 'object' || json === null) return json;
      const record = json as { verificationMaterial?: Record<string, unknown> };
      return {
        ...record,
        verificationMaterial: { ...record.verificationMaterial, tlogEntries: [] },
      };
    };
    const bundle: Bundle = bundleFromJSON(withoutLog(source.json));
    const payload = source.payload;
    const payloadKind = source.kind;
    if (payloadKind === 'in-toto') {
      if (!isBundleWithDsseEnvelope(bundle))
        throw new SignatureVerificationError(
          'malformed_signature',
          'a signed statement must come as a DSSE envelope',
        );
      if (bundle.content.dsseEnvelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
        throw new SignatureVerificationError(
          'malformed_signature',
          `unexpected DSSE payload type ${JSON.stringify(bundle.content.dsseEnvelope.payloadType)}`,
        );
      }
    }
    const verifier = new Verifier(this.#trustMaterial, {
      tlogThreshold: requireTransparencyLog ? 1 : 0,
      ctlogThreshold: this.#trustMaterial.ctlogs.length > 0 ? 1 : 0,
    });
    const signer = verifier.verify(toSignedEntity(bundle, payload));
    const signedPayload =
      payload ??
      (isBundleWithDsseEnvelope(bundle) ? bundle.content.dsseEnvelope.payload : Buffer.alloc(0));
    if (!boundDigest(signedPayload, payloadKind).includes(imageDigest)) {
      throw new SignatureVerificationError(
        'digest_mismatch',
        `the signed payload does not name the image digest ${imageDigest}`,
      );
    }
    const subject = signer.identity?.subjectAlternativeName;
    const issuer = signer.identity?.extensions?.issuer;
    if (subject === undefined || issuer === undefined)
      throw new SignatureVerificationError(
        'no_signer_identity',
        'the signing certificate names no subject or OIDC issuer',
      );
    const { content } = bundle;
    const signatureBase64 =
      content.$case === 'dsseEnvelope'
        ? (content.dsseEnvelope.signatures[0]?.sig.toString('base64') ?? '')
        : content.messageSignature.signature.toString('base64');
    const entry = bundle.verificationMaterial.tlogEntries[0];
    // The entry verified above: a Rekor v1 entry with its signed entry timestamp, or a Rekor v2
    // entry, whose index is the one its inclusion proof authenticates and which has no
    // integrated time (its signing time came from a timestamp authority).
    let logEntry: TransparencyLogEntry | undefined;
    if (requireTransparencyLog && entry?.inclusionPromise !== undefined) {
      logEntry = {
        logId: entry.logId.keyId.toString('hex'),
        logIndex: BigInt(entry.logIndex),
        integratedTime: BigInt(entry.integratedTime),
        signedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
        bodyBase64: entry.canonicalizedBody.toString('base64'),
      };
    } else if (requireTransparencyLog && entry?.inclusionProof !== undefined) {
      logEntry = {
        logId: entry.logId.keyId.toString('hex'),
        logIndex: BigInt(entry.inclusionProof.logIndex),
        bodyBase64: entry.canonicalizedBody.toString('base64'),
      };
    }
    const predicateType =
      payloadKind === 'in-toto' ? statementPredicateType(signedPayload) : undefined;
    return {
      signer: { subject, issuer },
      signatureBase64,
      ...(logEntry === undefined ? {} : { logEntry }),
      ...(predicateType === undefined ? {} : { predicateType }),
    };
  }
}
