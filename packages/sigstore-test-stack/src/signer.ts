import { createHash, createPrivateKey, sign } from 'node:crypto';

import type { SignerIdentity, TestCertificateAuthority } from './test-ca.js';
import type { LogEntryEvidence, TestTransparencyLog } from './transparency-log.js';

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

function tlogEntry(evidence: LogEntryEvidence, kind: string): Record<string, unknown> {
  return {
    logIndex: String(evidence.logIndex),
    logId: { keyId: Buffer.from(evidence.logId, 'hex').toString('base64') },
    kindVersion: { kind, version: '0.0.1' },
    integratedTime: String(evidence.integratedTime),
    inclusionPromise: { signedEntryTimestamp: evidence.signedEntryTimestamp.toString('base64') },
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
  bundle: Record<string, unknown>;
  certificatePem: string;
  signature: Buffer;
  evidence: LogEntryEvidence;
}> {
  const certificate = await ca.issue(identity);
  const signature = sign('sha256', artifact, createPrivateKey(certificate.privateKeyPem));
  const digest = createHash('sha256').update(artifact).digest();
  const body = Buffer.from(
    canonicalize({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
        signature: {
          content: signature.toString('base64'),
          publicKey: { content: Buffer.from(certificate.pem).toString('base64') },
        },
      },
    }),
  );
  const evidence = log.append(body);
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: certificate.der.toString('base64') },
      tlogEntries: [tlogEntry(evidence, 'hashedrekord')],
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
      signature: signature.toString('base64'),
    },
  };
  return { bundle, certificatePem: certificate.pem, signature, evidence };
}
