import { createHash, generateKeyPairSync, randomInt } from 'node:crypto';

import { initializeTSA } from '@sigstore/mock';

import { derChildren } from './der.js';

/** The mock TSA; @sigstore/mock's entry exports the function that makes one, not its type. */
type TSA = Awaited<ReturnType<typeof initializeTSA>>;

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
/** A policy OID for the test TSA's timestamps (Sigstore's private enterprise arc). */
const TEST_POLICY = '1.3.6.1.4.1.57264.2';

/**
 * An RFC 3161 timestamp authority, for tests: sigstore-js's own mock TSA (@sigstore/mock),
 * which signs TSTInfo in CMS SignedData with a root and a timestamping certificate.
 */
export class TestTimestampAuthority {
  private constructor(private readonly tsa: TSA) {}

  /**
   * A TSA whose timestamps all say `clock`. The default is a whole second just after now:
   * sigstore-js parses a GeneralizedTime fraction only when it has three digits, which DER
   * (trailing zeros dropped) does not always give, so the test TSA avoids fractions; and its
   * certificates, made now, are valid from a moment before that second.
   */
  static async create(
    clock = new Date((Math.floor(Date.now() / 1000) + 2) * 1000),
  ): Promise<TestTimestampAuthority> {
    const keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return new TestTimestampAuthority(await initializeTSA(keyPair, clock));
  }

  /** DER certificates, the timestamp-signing certificate first, then its root. */
  get certificateChain(): readonly Buffer[] {
    return [bytes(this.tsa.intCertificate), bytes(this.tsa.rootCertificate)];
  }

  /**
   * An RFC 3161 TimeStampResp over the SHA-256 of `data`, DER: what a Sigstore bundle carries
   * as `rfc3161Timestamps[].signedTimestamp`.
   */
  async timestamp(data: Buffer): Promise<Buffer> {
    const response = bytes(
      await this.tsa.timestamp({
        artifactHash: createHash('sha256').update(data).digest(),
        hashAlgorithmOID: OID_SHA256,
        nonce: randomInt(1, 2 ** 31),
        policyOID: TEST_POLICY,
        certReq: false,
      }),
    );
    // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken }
    if (derChildren(response)[1] === undefined)
      throw new Error('the TSA answered without a timestamp token');
    return response;
  }
}

function bytes(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
