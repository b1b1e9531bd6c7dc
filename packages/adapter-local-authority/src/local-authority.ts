import 'reflect-metadata';

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  sign,
  webcrypto,
  X509Certificate,
} from 'node:crypto';
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { FileReadError, readBoundedText, writeFileAtomically } from '@attestor/adapter-io';
import {
  CodedError,
  type SvidAuthority,
  type SvidSubject,
  type TrustBundle,
  type X509Svid,
} from '@attestor/ports';
import * as x509 from '@peculiar/x509';
import { errors, importJWK, type JWK, jwtVerify } from 'jose';

import * as der from './der.js';

x509.cryptoProvider.set(webcrypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CA_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;
/** Clocks of the hosts that check an SVID may be a little behind this one. */
const BACKDATE_MS = 10_000;
const MAX_KEY_FILE_BYTES = 64 * 1024;

export type AuthorityErrorCode =
  /** A key file others may read, a state directory others may enter, a file of another owner. */
  | 'insecure_permissions'
  /** A key or certificate file that does not parse, or a key that does not match its CA. */
  | 'malformed_state'
  | 'io';

export class AuthorityError extends CodedError<AuthorityErrorCode> {
  static override readonly brand = '@attestor/adapter-local-authority/AuthorityError';
  override readonly name = 'AuthorityError';
}

interface Keys {
  readonly caKey: webcrypto.CryptoKey;
  readonly caCertificate: x509.X509Certificate;
  /** Certificates between the signing CA and a root, sent after the SVID (upstream only). */
  readonly intermediates: readonly x509.X509Certificate[];
  /** What workloads trust: the local CA itself, or the operator's root(s). */
  readonly roots: readonly x509.X509Certificate[];
  readonly jwt: JwtKeys;
}

interface JwtKey {
  readonly key: webcrypto.CryptoKey;
  readonly jwk: JWK;
  readonly kid: string;
}

/** The JWT signing keys: the one that signs, a successor published ahead, a retired one. */
interface JwtKeys {
  readonly active: JwtKey;
  /** When `active` began to sign. */
  readonly activeSince: Date;
  readonly next?: JwtKey & { readonly publishedSince: Date };
  /** Still in the JWK Set until every token it signed has expired. */
  readonly previous?: { readonly jwk: JWK; readonly kid: string; readonly trustedUntil: Date };
  /** Rotated by the agent (its own key), or the operator's shared file (never rotated). */
  readonly own: boolean;
}

/**
 * An intermediate CA an operator's root issued to this host, so that every host under that
 * root is one trust domain; optionally one JWT signing key shared by the fleet.
 */
export interface UpstreamAuthority {
  /** PEM: the host's CA certificate first, then any intermediates up to (not including) a root. */
  readonly certificateFile: string;
  /** PEM PKCS#8 (or SEC1) ECDSA P-256 key of that CA; the agent's own file, 0600. */
  readonly keyFile: string;
  /** PEM: the operator's root certificate(s), the X.509 bundle workloads get. */
  readonly bundleFile: string;
  /** PEM P-256 key that signs JWT-SVIDs; without it, the agent's own key in the state directory. */
  readonly jwtKeyFile?: string;
}

/**
 * The agent's own authority for one trust domain, kept in `stateDirectory`: a self-signed
 * ECDSA P-256 CA (`ca.key`, `ca.pem`) and a JWT signing key (`jwt.key`), made on first start
 * and reused on every later one. The directory must be the agent's own and closed to others
 * (0700), and each key file 0600: a key that another user could read is refused, not used.
 */
export class LocalAuthority implements SvidAuthority {
  private constructor(
    readonly trustDomain: string,
    private keys: Keys,
    private readonly stateDirectory: string,
    /** Whether the CA is the agent's own (and so rotated by it). */
    private readonly ownCa: boolean,
    private readonly now: () => Date,
  ) {}

  static async open(
    stateDirectory: string,
    trustDomain: string,
    upstream?: UpstreamAuthority,
    options: { readonly now?: () => Date } = {},
  ): Promise<LocalAuthority> {
    const now = options.now ?? (() => new Date());
    await ensurePrivateDirectory(stateDirectory);
    const ca =
      upstream === undefined
        ? await openLocalCa(stateDirectory, trustDomain, now())
        : await openUpstreamCa(upstream, trustDomain, now());
    const jwt =
      upstream?.jwtKeyFile === undefined
        ? await openOwnJwtKeys(stateDirectory, now())
        : await openSharedJwtKey(upstream.jwtKeyFile);
    return new LocalAuthority(
      trustDomain,
      { ...ca, jwt },
      stateDirectory,
      upstream === undefined,
      now,
    );
  }

  /** The `kid` of the key that signs JWT-SVIDs now. */
  get jwtKeyId(): string {
    return this.keys.jwt.active.kid;
  }

  /**
   * Rotates the agent's own CA on its schedule; true when the bundle or the signing CA
   * changed (streams must be sent again). At two thirds of the CA's life a successor is made
   * and published in the bundle, signing nothing yet, so that every workload trusts it before
   * it meets an SVID it signed. At five sixths it becomes the signing CA, and its
   * predecessor's key is deleted; the predecessor stays in the bundle until it expires, which
   * no SVID it signed outlives. An upstream CA is the operator's to renew.
   */
  async rotate(): Promise<boolean> {
    const jwtChanged = await this.#rotateJwtKeys();
    return (await this.#rotateCa()) || jwtChanged;
  }

  async #rotateCa(): Promise<boolean> {
    if (!this.ownCa) return false;
    const directory = this.stateDirectory;
    const now = this.now();
    const active = this.keys.caCertificate;
    const lifeUsed =
      (now.getTime() - active.notBefore.getTime()) /
      (active.notAfter.getTime() - active.notBefore.getTime());
    const file = (name: string) => join(directory, name);
    const next = this.keys.roots.find((root) => root.notBefore > active.notBefore);
    let changed = false;
    if (next === undefined && lifeUsed >= 2 / 3) {
      const successor = await generateCa(this.trustDomain, now);
      await writeFileAtomically(file('ca.next.key'), pkcs8Pem(successor.key));
      await writeFileAtomically(file('ca.next.pem'), successor.certificate.toString('pem'));
      this.keys = { ...this.keys, roots: [...this.keys.roots, successor.certificate] };
      changed = true;
    } else if (next !== undefined && lifeUsed >= 5 / 6) {
      const nextKey = await readPrivateKey(file('ca.next.key'));
      if (nextKey === undefined)
        throw new AuthorityError('malformed_state', `${file('ca.next.key')} is missing`);
      await writeFileAtomically(file('ca.previous.pem'), active.toString('pem'));
      // The certificate first: a crash between the two renames is completed at the next start.
      await rename(file('ca.next.pem'), file('ca.pem'));
      await rename(file('ca.next.key'), file('ca.key'));
      this.keys = { ...this.keys, caKey: nextKey, caCertificate: next };
      this.#signerCache = undefined;
      changed = true;
    }
    const expired = this.keys.roots.filter((root) => root.notAfter <= now);
    if (expired.length > 0) {
      await rm(file('ca.previous.pem'), { force: true });
      this.keys = { ...this.keys, roots: this.keys.roots.filter((root) => root.notAfter > now) };
      changed = true;
    }
    return changed;
  }

  /**
   * The agent's own JWT key, on the same principle as the CA: a successor is published a day
   * before it signs (JWT_KEY_LIFETIME_MS after the active key began), and a retired key stays
   * in the JWK Set for a day, longer than any JWT-SVID lives (jwtSvidTtl is at most 24 h).
   */
  async #rotateJwtKeys(): Promise<boolean> {
    const jwt = this.keys.jwt;
    if (!jwt.own) return false;
    const now = this.now();
    const file = (name: string) => join(this.stateDirectory, name);
    const age = now.getTime() - jwt.activeSince.getTime();
    let next = jwt;
    if (jwt.previous !== undefined && jwt.previous.trustedUntil <= now)
      next = {
        active: jwt.active,
        activeSince: jwt.activeSince,
        own: jwt.own,
        ...(jwt.next === undefined ? {} : { next: jwt.next }),
      };
    if (next.next === undefined && age >= JWT_KEY_LIFETIME_MS - JWT_PUBLISH_LEAD_MS) {
      const key = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']))
        .privateKey;
      await writeFileAtomically(file('jwt.next.key'), pkcs8Pem(key));
      next = { ...next, next: { ...jwtKeyOf(key), publishedSince: now } };
    } else if (
      next.next !== undefined &&
      age >= JWT_KEY_LIFETIME_MS &&
      now.getTime() - next.next.publishedSince.getTime() >= JWT_PUBLISH_LEAD_MS
    ) {
      await rename(file('jwt.next.key'), file('jwt.key'));
      const { next: successor, ...rest } = next;
      next = {
        ...rest,
        active: successor,
        activeSince: now,
        previous: {
          jwk: jwt.active.jwk,
          kid: jwt.active.kid,
          trustedUntil: new Date(now.getTime() + JWT_RETIRED_TRUST_MS),
        },
      };
      this.#jwtHeader = undefined;
      this.#jwtSigningKey = undefined;
    }
    if (next === jwt) return false;
    await writeJwtState(file('jwt.json'), next);
    this.keys = { ...this.keys, jwt: next };
    return true;
  }

  /** The CA certificate, PEM. */
  get caPem(): string {
    return this.keys.caCertificate.toString('pem');
  }

  bundle(): TrustBundle {
    return {
      trustDomain: this.trustDomain,
      x509Authorities: this.keys.roots.map((root) => new Uint8Array(root.rawData)),
      // No `use`: generic JOSE libraries take only `sig` or none, and the SPIFFE bundle
      // format's `jwt-svid` belongs to bundle endpoints, not to the Workload API's JWK Sets.
      jwtKeys: {
        keys: [this.keys.jwt.active, this.keys.jwt.next, this.keys.jwt.previous]
          .filter((key) => key !== undefined)
          .map(({ jwk, kid }) => ({ ...jwk, kid, alg: 'ES256' })),
      },
    };
  }

  /**
   * An X.509-SVID as the SPIFFE X509-SVID standard has it: a fresh P-256 key, one URI SAN
   * (critical when the subject is empty), not a CA, key usage digitalSignature (critical),
   * extended key usage serverAuth and clientAuth. It never outlives the CA.
   */
  issueX509Svid(
    spiffeId: string,
    subject: SvidSubject,
    ttlMs: number,
    hint: string,
    now = this.now(),
  ): Promise<X509Svid> {
    const signer = this.#signer();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const spki = p256Spki(pkcs8);
    // Whole seconds, as the certificate records it.
    const notAfter = new Date(
      Math.floor(
        Math.min(now.getTime() + ttlMs, this.keys.caCertificate.notAfter.getTime()) / 1000,
      ) * 1000,
    );
    const name = subjectName(subject);
    const empty = name.length === 2;
    const tbs = der.sequence(
      VERSION_3,
      der.unsignedInteger(randomBytes(16)),
      ECDSA_WITH_SHA256,
      signer.issuer,
      der.sequence(der.time(new Date(now.getTime() - BACKDATE_MS)), der.time(notAfter)),
      name,
      spki,
      der.explicit(
        3,
        der.sequence(
          ...LEAF_EXTENSIONS,
          extension(OID.subjectAltName, empty, der.sequence(der.tlv(0x86, Buffer.from(spiffeId)))),
          extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(spki))),
          signer.authorityKeyIdentifier,
        ),
      ),
    );
    const certificate = der.sequence(
      tbs,
      ECDSA_WITH_SHA256,
      der.bitString(sign('sha256', tbs, signer.key)),
    );
    return Promise.resolve({
      spiffeId,
      certificates: [
        new Uint8Array(certificate),
        ...[this.keys.caCertificate, ...this.keys.intermediates]
          .filter((each) => !this.keys.roots.includes(each))
          .map((each) => new Uint8Array(each.rawData)),
      ],
      privateKey: new Uint8Array(pkcs8),
      hint,
      notAfter,
    });
  }

  #signerCache: Signer | undefined;

  /** What every SVID this CA signs shares, made once. */
  #signer(): Signer {
    if (this.#signerCache !== undefined) return this.#signerCache;
    const ca = this.keys.caCertificate;
    const caKeyId =
      ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
      keyIdentifier(Buffer.from(ca.publicKey.rawData)).toString('hex');
    this.#signerCache = {
      key: KeyObject.from(this.keys.caKey),
      issuer: Buffer.from(ca.subjectName.toArrayBuffer()),
      authorityKeyIdentifier: extension(
        OID.authorityKeyIdentifier,
        false,
        der.sequence(der.tlv(0x80, Buffer.from(caKeyId, 'hex'))),
      ),
    };
    return this.#signerCache;
  }

  /**
   * A JWT-SVID as the SPIFFE JWT-SVID standard has it: header `alg`, `kid`, `typ` only; `sub`
   * the SPIFFE ID, `aud` as requested, `exp` and `iat`. `claims` are an identity's custom
   * claims, already checked not to name a registered one.
   */
  signJwtSvid(
    spiffeId: string,
    audience: readonly string[],
    claims: Readonly<Record<string, string>>,
    ttlMs: number,
    now = this.now(),
  ): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + Math.ceil(ttlMs / 1000)) * 1000);
    // Signed here with node:crypto, not through jose's SignJWT, which cost half as much again
    // as the signature itself (the benchmark measures both); jose still validates.
    this.#jwtHeader ??= base64url({ alg: 'ES256', kid: this.jwtKeyId, typ: 'JWT' });
    this.#jwtSigningKey ??= KeyObject.from(this.keys.jwt.active.key);
    const payload = base64url({
      ...claims,
      sub: spiffeId,
      aud: audience.length === 1 ? audience[0] : [...audience],
      iat: issuedAt,
      exp: expiresAt.getTime() / 1000,
    });
    const signingInput = `${this.#jwtHeader}.${payload}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: this.#jwtSigningKey,
      dsaEncoding: 'ieee-p1363',
    });
    return Promise.resolve({
      token: `${signingInput}.${signature.toString('base64url')}`,
      expiresAt,
    });
  }

  #jwtHeader: string | undefined;
  #jwtSigningKey: KeyObject | undefined;

  /**
   * Checks a JWT-SVID against this trust domain's JWT keys: signature (ES256 only), `exp`,
   * the audience, and a `sub` that is a SPIFFE ID of this trust domain.
   */
  async validateJwtSvid(
    token: string,
    audience: string,
  ): Promise<{ spiffeId: string; claims: Record<string, unknown> }> {
    // The key the token names, among those this trust domain publishes now.
    const now = this.now();
    const { active, next, previous } = this.keys.jwt;
    const trusted = [
      active,
      next,
      previous !== undefined && previous.trustedUntil > now ? previous : undefined,
    ];
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const named = trusted.find((key) => key !== undefined && key.kid === header.kid);
        if (named === undefined) throw new errors.JWKSNoMatchingKey();
        return importJWK(named.jwk, 'ES256');
      },
      {
        algorithms: ['ES256'],
        audience,
        requiredClaims: ['sub', 'exp', 'aud'],
        currentDate: now,
      },
    );
    const subject = payload.sub ?? '';
    if (!subject.startsWith(`spiffe://${this.trustDomain}/`))
      throw new Error('the subject is not a SPIFFE ID of this trust domain');
    return { spiffeId: subject, claims: { ...payload } };
  }
}

/** A JWT key signs for 30 days; its successor is published a day ahead, and it is trusted a day after. */
const JWT_KEY_LIFETIME_MS = 30 * 24 * 3_600_000;
const JWT_PUBLISH_LEAD_MS = 24 * 3_600_000;
const JWT_RETIRED_TRUST_MS = 24 * 3_600_000;

function jwtKeyOf(key: webcrypto.CryptoKey): JwtKey {
  const jwk = publicJwk(key);
  return { key, jwk, kid: keyId(jwk) };
}

interface JwtState {
  readonly activeSince: string;
  readonly nextPublishedSince?: string;
  readonly previous?: { readonly jwk: JWK; readonly kid: string; readonly trustedUntil: string };
}

async function writeJwtState(path: string, keys: JwtKeys): Promise<void> {
  const state: JwtState = {
    activeSince: keys.activeSince.toISOString(),
    ...(keys.next === undefined
      ? {}
      : { nextPublishedSince: keys.next.publishedSince.toISOString() }),
    ...(keys.previous === undefined
      ? {}
      : {
          previous: {
            jwk: keys.previous.jwk,
            kid: keys.previous.kid,
            trustedUntil: keys.previous.trustedUntil.toISOString(),
          },
        }),
  };
  await writeFileAtomically(path, `${JSON.stringify(state, null, 2)}\n`);
}

/** The agent's own JWT keys and their schedule (jwt.key, jwt.next.key, jwt.json). */
async function openOwnJwtKeys(stateDirectory: string, now: Date): Promise<JwtKeys> {
  const file = (name: string) => join(stateDirectory, name);
  let key = await readPrivateKey(file('jwt.key'));
  if (key === undefined) {
    key = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])).privateKey;
    await writeFileAtomically(file('jwt.key'), pkcs8Pem(key));
  }
  let state: JwtState | undefined;
  try {
    state = JSON.parse(await readText(file('jwt.json'))) as JwtState;
  } catch (error) {
    if (!(AuthorityError.is(error) && error.code === 'malformed_state')) throw error;
  }
  const date = (text: string | undefined, fallback: Date): Date => {
    const parsed = text === undefined ? Number.NaN : Date.parse(text);
    return Number.isNaN(parsed) ? fallback : new Date(parsed);
  };
  const nextKey = await readPrivateKey(file('jwt.next.key'));
  const keys: JwtKeys = {
    active: jwtKeyOf(key),
    activeSince: date(state?.activeSince, now),
    own: true,
    ...(nextKey === undefined
      ? {}
      : { next: { ...jwtKeyOf(nextKey), publishedSince: date(state?.nextPublishedSince, now) } }),
    ...(state?.previous === undefined
      ? {}
      : {
          previous: {
            jwk: state.previous.jwk,
            kid: state.previous.kid,
            trustedUntil: date(state.previous.trustedUntil, now),
          },
        }),
  };
  if (state === undefined) await writeJwtState(file('jwt.json'), keys);
  return keys;
}

/** One key shared by the fleet (jwtKeyFile): the operator's to rotate. */
async function openSharedJwtKey(path: string): Promise<JwtKeys> {
  const key = await readPrivateKey(path);
  if (key === undefined)
    throw new AuthorityError('malformed_state', `jwtKeyFile ${path} does not exist`);
  return { active: jwtKeyOf(key), activeSince: new Date(0), own: false };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

interface Signer {
  readonly key: KeyObject;
  /** The CA's subject, DER, as its certificate has it: each SVID's issuer. */
  readonly issuer: Buffer;
  readonly authorityKeyIdentifier: Buffer;
}

const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;
const ECDSA_WITH_SHA256 = der.sequence(der.objectIdentifier('1.2.840.10045.4.3.2'));
/** KeyUsage with only digitalSignature (bit 0): one byte, seven unused bits. */
const DIGITAL_SIGNATURE = der.tlv(0x03, Buffer.of(0x07, 0x80));
const SERVER_AND_CLIENT_AUTH = der.sequence(
  der.objectIdentifier('1.3.6.1.5.5.7.3.1'),
  der.objectIdentifier('1.3.6.1.5.5.7.3.2'),
);

/** What every leaf has the same: v3, not a CA, digitalSignature, serverAuth and clientAuth. */
const VERSION_3 = der.explicit(0, der.unsignedInteger(Buffer.of(2)));
const LEAF_EXTENSIONS = [
  extension(OID.basicConstraints, true, der.sequence()),
  extension(OID.keyUsage, true, DIGITAL_SIGNATURE),
  extension(OID.extKeyUsage, false, SERVER_AND_CLIENT_AUTH),
];

function extension(oid: string, critical: boolean, value: Uint8Array): Buffer {
  return der.sequence(
    der.objectIdentifier(oid),
    ...(critical ? [der.BOOLEAN_TRUE] : []),
    der.octetString(value),
  );
}

/** The SubjectPublicKeyInfo of every P-256 key, up to its point: id-ecPublicKey, prime256v1. */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/**
 * The SPKI DER of a P-256 key, from its PKCS#8 export, which ends with the public point
 * (ECPrivateKey's `[1] publicKey` BIT STRING: 0x04, X, Y). Node's own SPKI export costs 95 us,
 * more than the key generation (40 us) and the signature (37 us) together; the tests check
 * that both give the same bytes.
 */
function p256Spki(pkcs8: Buffer): Buffer {
  const point = pkcs8.subarray(pkcs8.length - 65);
  if (point[0] !== 0x04 || pkcs8[pkcs8.length - 67] !== 0x42)
    throw new AuthorityError(
      'malformed_state',
      'a generated key has no public point in its PKCS#8',
    );
  return Buffer.concat([P256_SPKI_PREFIX, point]);
}

/** RFC 5280's key identifier: SHA-1 of the subjectPublicKey bits (the last 65 bytes of a P-256 SPKI). */
function keyIdentifier(spki: Buffer): Buffer {
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

/**
 * The subject Name, DER: C, O, OU, CN in that order, each its own RDN. The values are encoded
 * as they are (UTF8String; a two-letter country as PrintableString), so nothing in them can
 * add an attribute, as a string form with separators could.
 */
function subjectName(subject: SvidSubject): Buffer {
  const rdns: Buffer[] = [];
  const add = (oid: string, value: string | undefined, printable = false): void => {
    if (value === undefined || value === '') return;
    const encoded =
      printable && /^[A-Za-z]{2}$/.test(value) ? der.printableString(value) : der.utf8String(value);
    rdns.push(der.set(der.sequence(der.objectIdentifier(oid), encoded)));
  };
  add('2.5.4.6', subject.country, true);
  add('2.5.4.10', subject.organization);
  add('2.5.4.11', subject.organizationalUnit);
  add('2.5.4.3', subject.commonName);
  return der.sequence(...rdns);
}

/** RFC 4514 escaping of an attribute value (`,`, `+`, `"`, `\`, `<`, `>`, `;`, `=`). */
function escapeRdn(value: string): string {
  return value
    .replace(/[,+"\\<>;=]/g, (char) => `\\${char}`)
    .replace(/^[ #]/, (char) => `\\${char}`)
    .replace(/ $/, '\\ ');
}

/** A positive 128-bit serial number, hex (the top bit clear, so DER needs no sign byte). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function generateCa(
  trustDomain: string,
  at: Date,
): Promise<{ key: webcrypto.CryptoKey; certificate: x509.X509Certificate }> {
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const now = at.getTime();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `O=attestor, CN=${escapeRdn(trustDomain)}`,
    keys,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_LIFETIME_MS),
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://${trustDomain}` }]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { key: keys.privateKey, certificate };
}

type CaKeys = Pick<Keys, 'caKey' | 'caCertificate' | 'intermediates' | 'roots'>;

/** The agent's own CA in the state directory, made on first start. */
async function openLocalCa(
  stateDirectory: string,
  trustDomain: string,
  now: Date,
): Promise<CaKeys> {
  const file = (name: string) => join(stateDirectory, name);
  let caKey = await readPrivateKey(file('ca.key'));
  let caCertificate: x509.X509Certificate;
  if (caKey === undefined) {
    const generated = await generateCa(trustDomain, now);
    caKey = generated.key;
    caCertificate = generated.certificate;
    await writeFileAtomically(file('ca.key'), pkcs8Pem(caKey));
    await writeFileAtomically(file('ca.pem'), caCertificate.toString('pem'));
    return { caKey, caCertificate, intermediates: [], roots: [caCertificate] };
  }
  caCertificate = await readCertificate(file('ca.pem'));
  const nextKey = await readPrivateKey(file('ca.next.key'));
  if (
    nextKey !== undefined &&
    !keyMatches(caKey, caCertificate) &&
    keyMatches(nextKey, caCertificate)
  ) {
    // An activation cut short between its two renames: finish it.
    await rename(file('ca.next.key'), file('ca.key'));
    caKey = nextKey;
  }
  checkKeyMatches(caKey, caCertificate, file('ca.key'), file('ca.pem'));
  const roots = [caCertificate];
  const next = await readOptionalCertificate(file('ca.next.pem'));
  if (next !== undefined) roots.push(next);
  const previous = await readOptionalCertificate(file('ca.previous.pem'));
  if (previous !== undefined && previous.notAfter > now) roots.push(previous);
  return { caKey, caCertificate, intermediates: [], roots };
}

async function readOptionalCertificate(path: string): Promise<x509.X509Certificate | undefined> {
  try {
    await lstat(path);
  } catch {
    return undefined;
  }
  return readCertificate(path);
}

/**
 * The host's intermediate from the operator: checked to be a CA that may sign certificates,
 * to be the key's, to be valid now, to name no other trust domain, and to chain through the
 * given intermediates to one of the bundle's roots. Anything else is refused at start.
 */
async function openUpstreamCa(
  upstream: UpstreamAuthority,
  trustDomain: string,
  now: Date,
): Promise<CaKeys> {
  const caKey = await readPrivateKey(upstream.keyFile);
  if (caKey === undefined)
    throw new AuthorityError('malformed_state', `keyFile ${upstream.keyFile} does not exist`);
  const [caCertificate, ...intermediates] = await readCertificates(upstream.certificateFile);
  if (caCertificate === undefined)
    throw new AuthorityError(
      'malformed_state',
      `certificateFile ${upstream.certificateFile} has no certificate`,
    );
  const roots = await readCertificates(upstream.bundleFile);
  if (roots.length === 0)
    throw new AuthorityError(
      'malformed_state',
      `bundleFile ${upstream.bundleFile} has no certificate`,
    );
  checkKeyMatches(caKey, caCertificate, upstream.keyFile, upstream.certificateFile);
  const refuse = (reason: string) =>
    new AuthorityError('malformed_state', `certificateFile ${upstream.certificateFile}: ${reason}`);
  for (const certificate of [caCertificate, ...intermediates]) {
    const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
    if (constraints?.ca !== true) throw refuse(`${certificate.subject} is not a CA certificate`);
  }
  const usage = caCertificate.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0)
    throw refuse('its key usage does not allow signing certificates (keyCertSign)');
  if (caCertificate.notBefore > now || caCertificate.notAfter <= now)
    throw refuse(
      `it is valid from ${caCertificate.notBefore.toISOString()} to ${caCertificate.notAfter.toISOString()}, not now`,
    );
  const names = caCertificate.getExtension(x509.SubjectAlternativeNameExtension);
  const uris =
    names?.names.items.filter((name) => name.type === 'url').map((name) => name.value) ?? [];
  if (uris.some((uri) => uri !== `spiffe://${trustDomain}`))
    throw refuse(`it names ${uris.join(', ')}, not the trust domain spiffe://${trustDomain}`);
  if (!(await chainsTo([caCertificate, ...intermediates], roots)))
    throw refuse(`it does not chain to a root of bundleFile ${upstream.bundleFile}`);
  return { caKey, caCertificate, intermediates, roots };
}

/** Whether `chain` (each certificate issued by the next) ends in one of `roots`. */
async function chainsTo(
  chain: readonly x509.X509Certificate[],
  roots: readonly x509.X509Certificate[],
): Promise<boolean> {
  for (const [index, certificate] of chain.entries()) {
    const issuer = chain[index + 1];
    if (issuer !== undefined) {
      if (!(await certificate.verify({ publicKey: issuer, signatureOnly: true }))) return false;
      continue;
    }
    for (const root of roots)
      if (
        certificate.issuer === root.subject &&
        (await certificate.verify({ publicKey: root, signatureOnly: true }))
      )
        return true;
  }
  return false;
}

/** The state directory: made 0700 when missing; refused when another user may enter it. */
async function ensurePrivateDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const info = await lstat(directory);
  if (!info.isDirectory())
    throw new AuthorityError(
      'insecure_permissions',
      `stateDirectory ${directory} is not a directory`,
    );
  checkOwnerOnly(directory, info.mode, info.uid, 'stateDirectory');
}

function checkOwnerOnly(path: string, mode: number, uid: number, what: string): void {
  const self = process.geteuid?.();
  if (self !== undefined && uid !== self)
    throw new AuthorityError(
      'insecure_permissions',
      `${what} ${path} belongs to uid ${String(uid)}, not to the agent (uid ${String(self)})`,
    );
  if ((mode & 0o077) !== 0)
    throw new AuthorityError(
      'insecure_permissions',
      `${what} ${path} has mode 0${(mode & 0o777).toString(8)}: others may read it; make it 0${what === 'stateDirectory' ? '700' : '600'}`,
    );
}

/** A PKCS#8 PEM key file of the agent's own, 0600; undefined when there is none yet. */
async function readPrivateKey(path: string): Promise<webcrypto.CryptoKey | undefined> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw new AuthorityError('io', `${path}: cannot read: ${String(error)}`, { cause: error });
  }
  if (!info.isFile())
    throw new AuthorityError('insecure_permissions', `key file ${path} is not a regular file`);
  checkOwnerOnly(path, info.mode, info.uid, 'key file');
  const pem = await readText(path);
  try {
    const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
    return await webcrypto.subtle.importKey('pkcs8', der, EC_P256, true, ['sign']);
  } catch (error) {
    throw new AuthorityError('malformed_state', `${path} is not a PKCS#8 ECDSA P-256 key`, {
      cause: error,
    });
  }
}

async function readCertificates(path: string): Promise<x509.X509Certificate[]> {
  const pem = await readText(path);
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  try {
    return blocks.map((block) => new x509.X509Certificate(block));
  } catch (error) {
    throw new AuthorityError('malformed_state', `${path} has a certificate that does not parse`, {
      cause: error,
    });
  }
}

/** The one certificate of a PEM file. */
async function readCertificate(path: string): Promise<x509.X509Certificate> {
  const [certificate] = await readCertificates(path);
  if (certificate === undefined)
    throw new AuthorityError('malformed_state', `${path} is not a PEM certificate`);
  return certificate;
}

async function readText(path: string): Promise<string> {
  try {
    return await readBoundedText(path, MAX_KEY_FILE_BYTES);
  } catch (error) {
    const code = FileReadError.is(error) && error.code === 'not_found' ? 'malformed_state' : 'io';
    throw new AuthorityError(code, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

function keyMatches(key: webcrypto.CryptoKey, certificate: x509.X509Certificate): boolean {
  const fromKey = publicJwk(key);
  const fromCertificate = new X509Certificate(Buffer.from(certificate.rawData)).publicKey.export({
    format: 'jwk',
  });
  return fromKey.x === fromCertificate.x && fromKey.y === fromCertificate.y;
}

function checkKeyMatches(
  key: webcrypto.CryptoKey,
  certificate: x509.X509Certificate,
  keyPath: string,
  certificatePath: string,
): void {
  if (!keyMatches(key, certificate))
    throw new AuthorityError(
      'malformed_state',
      `${keyPath} is not the key of the CA certificate ${certificatePath}`,
    );
}

/** The public half of a P-256 private key, as a JWK. */
function publicJwk(key: webcrypto.CryptoKey): JWK {
  const { kty, crv, x, y } = createPublicKey(KeyObject.from(key)).export({
    format: 'jwk',
  });
  if (kty !== 'EC' || crv !== 'P-256' || x === undefined || y === undefined)
    throw new AuthorityError('malformed_state', 'the key is not an ECDSA P-256 key');
  return { kty, crv, x, y };
}

/** RFC 7638 thumbprint of the public key, the key's `kid`. */
function keyId(jwk: JWK): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function pkcs8Pem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}
