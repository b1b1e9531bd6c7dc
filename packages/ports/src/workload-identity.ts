import { CodedError } from './coded-error.js';

/**
 * The process at the other end of a Workload API connection, as the kernel recorded it when
 * it connected (SO_PEERCRED), never as the caller describes itself.
 */
export interface WorkloadCaller {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  /**
   * Whether the process that connected is still running, and so still the one `pid` names
   * (a pidfd check where the kernel has SO_PEERPIDFD). Asked again after every attestation.
   */
  readonly stillConnected: () => boolean;
}

/** One X.509-SVID, ready to hand to its workload. */
export interface X509Svid {
  readonly spiffeId: string;
  /** DER certificates, the SVID first, then any intermediates up to (not including) a root. */
  readonly certificates: readonly Uint8Array[];
  /** The SVID's private key, DER PKCS#8, unencrypted. */
  readonly privateKey: Uint8Array;
  /** The identity's name in the configuration, which tells a workload's SVIDs apart. */
  readonly hint: string;
  readonly notAfter: Date;
}

export interface JwtSvid {
  readonly spiffeId: string;
  /** JWS compact serialization. */
  readonly token: string;
  readonly hint: string;
}

/** The trust bundle of one trust domain: X.509 roots and the JWT signing keys. */
export interface TrustBundle {
  readonly trustDomain: string;
  /** DER CA certificates. */
  readonly x509Authorities: readonly Uint8Array[];
  /** An RFC 7517 JWK Set; every key has a `kid`. */
  readonly jwtKeys: { readonly keys: readonly Readonly<Record<string, unknown>>[] };
}

/** The X.509 subject of an SVID; every field optional. */
export interface SvidSubject {
  readonly country?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly commonName?: string;
}

/**
 * What signs SVIDs for one trust domain: the agent's own CA, or an intermediate an operator's
 * root issued to this host. Its bundle is what workloads trust.
 */
export interface SvidAuthority {
  readonly trustDomain: string;
  issueX509Svid(
    spiffeId: string,
    subject: SvidSubject,
    ttlMs: number,
    hint: string,
  ): Promise<X509Svid>;
  signJwtSvid(
    spiffeId: string,
    audience: readonly string[],
    claims: Readonly<Record<string, string>>,
    ttlMs: number,
  ): Promise<{ readonly token: string; readonly expiresAt: Date }>;
  bundle(): TrustBundle;
  /** The SPIFFE ID and claims of a valid JWT-SVID of this trust domain; throws otherwise. */
  validateJwtSvid(
    token: string,
    audience: string,
  ): Promise<{ readonly spiffeId: string; readonly claims: Readonly<Record<string, unknown>> }>;
}

export type WorkloadIdentityErrorCode =
  /** The request is malformed: no audience, an empty token. */
  | 'invalid_argument'
  /** The caller is not in a container, matches no identity, or lacks an attribute. */
  | 'permission_denied'
  /** Attestation failed: a runtime that does not answer, a deadline. Worth a retry. */
  | 'unavailable'
  /** A JWT-SVID that does not validate. */
  | 'invalid_token';

export class WorkloadIdentityError extends CodedError<WorkloadIdentityErrorCode> {
  static override readonly brand = '@attestor/ports/WorkloadIdentityError';
  override readonly name = 'WorkloadIdentityError';
}

/**
 * What the Workload API serves: SVIDs for an attested caller, and the trust bundles. Errors
 * are `WorkloadIdentityError`s; their messages go to the caller, so they never carry another
 * workload's facts or an attribute's value.
 */
export interface WorkloadIdentityProvider {
  x509Svids(caller: WorkloadCaller, signal: AbortSignal): Promise<readonly X509Svid[]>;
  jwtSvids(
    caller: WorkloadCaller,
    audience: readonly string[],
    spiffeId: string | undefined,
    signal: AbortSignal,
  ): Promise<readonly JwtSvid[]>;
  bundles(): readonly TrustBundle[];
  validateJwtSvid(
    token: string,
    audience: string,
  ): Promise<{ readonly spiffeId: string; readonly claims: Readonly<Record<string, unknown>> }>;
  /**
   * Calls `listener` whenever what any caller would be served may have changed (a reload, a
   * CA change); returns the function that stops it.
   */
  onChange(listener: () => void): () => void;
}
