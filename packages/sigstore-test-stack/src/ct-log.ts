import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

import { derLength } from './der.js';

/** The X.509 extension that carries embedded SCTs (RFC 6962 section 3.3). */
export const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function uint(value: number, bytes: number): Buffer {
  const buffer = Buffer.alloc(bytes);
  buffer.writeUIntBE(value, 0, bytes);
  return buffer;
}

/**
 * A certificate transparency log in the role of the one Sigstore's Fulcio submits to, for
 * tests. It issues signed certificate timestamps (RFC 6962 section 3.2) for precertificate
 * entries; it logs nothing, since verifiers of embedded SCTs never ask the log.
 */
export class TestCtLog {
  /** The log's public key, SPKI DER (ECDSA P-256). */
  readonly publicKeyDer: Buffer;
  /** The log ID: SHA-256 of `publicKeyDer`, hex. */
  readonly logId: string;
  readonly #privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.publicKeyDer = publicKey.export({ type: 'spki', format: 'der' });
    this.logId = sha256(this.publicKeyDer).toString('hex');
    this.#privateKey = privateKey;
  }

  /**
   * A TLS-encoded SignedCertificateTimestamp v1 for the precertificate of `tbsCertificate` (the
   * DER TBSCertificate of the final certificate without its SCT extension), issued under the
   * key `issuerPublicKeyDer` (SPKI DER), timestamped `at`.
   */
  timestamp(issuerPublicKeyDer: Buffer, tbsCertificate: Buffer, at: Date): Buffer {
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64BE(BigInt(at.getTime()));
    const noExtensions = uint(0, 2);
    const signed = Buffer.concat([
      Buffer.from([0, 0]), // version v1, signature_type certificate_timestamp
      timestamp,
      uint(1, 2), // entry_type precert_entry
      sha256(issuerPublicKeyDer),
      uint(tbsCertificate.length, 3),
      tbsCertificate,
      noExtensions,
    ]);
    const signature = sign('sha256', signed, this.#privateKey);
    return Buffer.concat([
      Buffer.from([0]), // version v1
      Buffer.from(this.logId, 'hex'),
      timestamp,
      noExtensions,
      Buffer.from([4, 3]), // sha256, ecdsa
      uint(signature.length, 2),
      signature,
    ]);
  }
}

/**
 * The extnValue contents of the SCT list extension: a DER OCTET STRING holding the TLS-encoded
 * SignedCertificateTimestampList.
 */
export function sctListExtensionValue(scts: readonly Buffer[]): Buffer {
  const list = Buffer.concat(scts.map((sct) => Buffer.concat([uint(sct.length, 2), sct])));
  const tls = Buffer.concat([uint(list.length, 2), list]);
  return Buffer.concat([Buffer.from([0x04]), derLength(tls.length), tls]);
}
