/**
 * A certificate authority in the role of Fulcio, for tests: a root, an intermediate, and
 * short-lived leaf certificates that carry a signer identity the way Fulcio's do (a URI or
 * email SAN, the OIDC issuer in OID 1.3.6.1.4.1.57264.1.1 as a raw string and in
 * 1.3.6.1.4.1.57264.1.8 as a DER UTF8String, the code-signing EKU, and, when the CA has a CT
 * log, an embedded SCT from it). Keys are ECDSA P-256.
 */
import 'reflect-metadata';

import { randomBytes, webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';

import { OID_SCT_LIST, sctListExtensionValue, type TestCtLog } from './ct-log.js';
import { derLength, tbsCertificateOf } from './der.js';

x509.cryptoProvider.set(webcrypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
export const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
export const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

export interface IssuedCertificate {
  readonly pem: string;
  readonly der: Buffer;
  /** The leaf's private key (PKCS#8 PEM), for signing. */
  readonly privateKeyPem: string;
}

export interface SignerIdentity {
  /** `https://...` (a workflow URL) or an email address. */
  readonly subject: string;
  readonly issuer: string;
}

/** DER of a UTF8String. */
function utf8String(text: string): ArrayBuffer {
  const bytes = Buffer.from(text, 'utf8');
  const der = Buffer.concat([Buffer.from([0x0c]), derLength(bytes.length), bytes]);
  return arrayBuffer(der);
}

function arrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`;
}

export class TestCertificateAuthority {
  private constructor(
    readonly root: x509.X509Certificate,
    readonly intermediate: x509.X509Certificate,
    private readonly intermediateKey: webcrypto.CryptoKey,
    private readonly rootKey: webcrypto.CryptoKey,
    private readonly ctLog: TestCtLog | undefined,
  ) {}

  /**
   * A root and an intermediate valid from `notBefore` for ten years. With `ctLog`, every leaf
   * carries an SCT from it, as Fulcio's do from the CT log that Sigstore's trusted root lists.
   */
  static async create(
    notBefore = new Date(Date.now() - 60 * 60 * 1000),
    options: { readonly ctLog?: TestCtLog } = {},
  ): Promise<TestCertificateAuthority> {
    const notAfter = new Date(notBefore.getTime() + 10 * 365 * 24 * 60 * 60 * 1000);
    const rootKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=attestor test root,O=attestor test',
      keys: rootKeys,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    const intermediateKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, [
      'sign',
      'verify',
    ]);
    const intermediate = await x509.X509CertificateGenerator.create({
      subject: 'CN=attestor test intermediate,O=attestor test',
      issuer: root.subject,
      publicKey: intermediateKeys.publicKey,
      signingKey: rootKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([OID_CODE_SIGNING]),
        await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    return new TestCertificateAuthority(
      root,
      intermediate,
      intermediateKeys.privateKey,
      rootKeys.privateKey,
      options.ctLog,
    );
  }

  /**
   * A TLS server certificate for loopback (SAN IP 127.0.0.1 and DNS localhost), for a day,
   * issued by the root (the intermediate is restricted to code signing).
   */
  async issueServerCertificate(): Promise<IssuedCertificate> {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const notBefore = new Date(Date.now() - 60 * 1000);
    const certificate = await x509.X509CertificateGenerator.create({
      subject: 'CN=localhost',
      issuer: this.root.subject,
      publicKey: keys.publicKey,
      signingKey: this.rootKey,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 24 * 60 * 60 * 1000),
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
        new x509.SubjectAlternativeNameExtension([
          { type: 'ip', value: '127.0.0.1' },
          { type: 'dns', value: 'localhost' },
        ]),
      ],
    });
    return {
      pem: certificate.toString('pem'),
      der: Buffer.from(certificate.rawData),
      privateKeyPem: await pkcs8Pem(keys.privateKey),
    };
  }

  /** The root, PEM, for the trust store of a TLS client of `issueServerCertificate` servers. */
  get rootPem(): string {
    return `${this.root.toString('pem')}\n`;
  }

  /** A Fulcio-style leaf for `identity`, valid for ten minutes from `notBefore`. */
  async issue(
    identity: SignerIdentity,
    notBefore = new Date(Date.now() - 60 * 1000),
  ): Promise<IssuedCertificate> {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const san =
      identity.subject.includes('@') && !identity.subject.includes('://')
        ? { type: 'email' as const, value: identity.subject }
        : { type: 'url' as const, value: identity.subject };
    const extensions = [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([OID_CODE_SIGNING]),
      new x509.SubjectAlternativeNameExtension([san], true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(this.intermediate),
      new x509.Extension(OID_ISSUER_V1, false, arrayBuffer(Buffer.from(identity.issuer, 'utf8'))),
      new x509.Extension(OID_ISSUER_V2, false, utf8String(identity.issuer)),
    ];
    const params = {
      // Fixed, so that the certificate with the SCT has the precertificate's TBS plus the SCT.
      serialNumber: `01${randomBytes(15).toString('hex')}`,
      subject: '',
      issuer: this.intermediate.subject,
      publicKey: keys.publicKey,
      signingKey: this.intermediateKey,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 10 * 60 * 1000),
      signingAlgorithm: ALGORITHM,
    };
    let certificate = await x509.X509CertificateGenerator.create({ ...params, extensions });
    if (this.ctLog !== undefined) {
      // The SCT signs the certificate's TBS without the SCT extension (the precertificate,
      // RFC 6962 section 3.2) and the hash of the issuer's key.
      const sct = this.ctLog.timestamp(
        Buffer.from(this.intermediate.publicKey.rawData),
        tbsCertificateOf(Buffer.from(certificate.rawData)),
        notBefore,
      );
      certificate = await x509.X509CertificateGenerator.create({
        ...params,
        extensions: [
          ...extensions,
          new x509.Extension(OID_SCT_LIST, false, arrayBuffer(sctListExtensionValue([sct]))),
        ],
      });
    }
    return {
      pem: certificate.toString('pem'),
      der: Buffer.from(certificate.rawData),
      privateKeyPem: await pkcs8Pem(keys.privateKey),
    };
  }
}
