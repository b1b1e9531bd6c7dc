import {
  type JwtSvid,
  type Logger,
  type SvidAuthority,
  type TrustBundle,
  type WorkloadCaller,
  WorkloadIdentityError,
  type WorkloadIdentityErrorCode,
  type WorkloadIdentityProvider,
  type X509Svid,
} from '@attestor/ports';
import {
  type Attestation,
  AttestationError,
  type AttestationErrorCode,
  type IdentityPolicy,
  type IssuedIdentity,
  refusal,
} from '@attestor/workload-attestor';

type AttestedWorkload = Extract<Attestation, { kind: 'attested' }>;

/** The use case that attests a PID (WorkloadAttestor). */
export interface Attestor {
  attest(pid: number, signal?: AbortSignal): Promise<Attestation>;
}

/** The policy in force: the section's identities and TTLs, replaced on every reload. */
export interface IdentitySettings {
  readonly policy: IdentityPolicy;
  readonly x509SvidTtlMs: number;
  readonly jwtSvidTtlMs: number;
}

/**
 * Whether an attestation failure is the caller's lack of an identity (PermissionDenied) or a
 * failure worth a retry (Unavailable): refusals on the evidence are the former, a runtime that
 * does not answer or a deadline the latter.
 */
const ATTESTATION_CODES: Readonly<Record<AttestationErrorCode, WorkloadIdentityErrorCode>> = {
  attestation_disabled: 'permission_denied',
  process_not_found: 'permission_denied',
  process_changed: 'permission_denied',
  untrusted_cgroup: 'permission_denied',
  cgroup_mismatch: 'permission_denied',
  pid_namespace_mismatch: 'permission_denied',
  host_pid_namespace_refused: 'permission_denied',
  container_not_running: 'permission_denied',
  container_unknown: 'unavailable',
  permission_denied: 'unavailable',
  malformed_process_data: 'unavailable',
  runtime_unavailable: 'unavailable',
  deadline_exceeded: 'unavailable',
  cancelled: 'unavailable',
};

/**
 * The Workload API's answers: the caller (named by the kernel) is attested with the existing
 * use case, its identities selected by the policy in force, and the authority signs them.
 * Refusals are WorkloadIdentityErrors whose messages go to the caller: they name the caller's
 * own PID and an attestation code or an attribute name, never another workload's facts or an
 * attribute's value.
 */
export class WorkloadIdentityService implements WorkloadIdentityProvider {
  readonly #listeners = new Set<() => void>();
  #settings: IdentitySettings;

  constructor(
    private readonly attestor: Attestor,
    private readonly authority: SvidAuthority,
    settings: IdentitySettings,
    private readonly logger: Logger,
  ) {
    this.#settings = settings;
  }

  /** A reload: new identities or TTLs. Open streams are sent what the new policy gives. */
  update(settings: IdentitySettings): void {
    this.#settings = settings;
    this.changed();
  }

  /** Tells every open stream to send again (a reload, a CA change). */
  changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  async x509Svids(caller: WorkloadCaller, signal: AbortSignal): Promise<readonly X509Svid[]> {
    const { identities, settings, attestation } = await this.#identities(caller, signal);
    this.#issued('x509', attestation, identities);
    return Promise.all(
      identities.map((identity) =>
        this.authority.issueX509Svid(
          identity.spiffeId,
          identity.subject,
          settings.x509SvidTtlMs,
          identity.name,
        ),
      ),
    );
  }

  async jwtSvids(
    caller: WorkloadCaller,
    audience: readonly string[],
    spiffeId: string | undefined,
    signal: AbortSignal,
  ): Promise<readonly JwtSvid[]> {
    const { identities, settings, attestation } = await this.#identities(caller, signal);
    let wanted = identities;
    if (spiffeId !== undefined) {
      wanted = identities.filter((identity) => identity.spiffeId === spiffeId);
      if (wanted.length === 0)
        throw new WorkloadIdentityError(
          'permission_denied',
          `process ${String(caller.pid)} is not entitled to ${spiffeId}`,
        );
    }
    this.#issued('jwt', attestation, wanted);
    return Promise.all(
      wanted.map(async (identity) => ({
        spiffeId: identity.spiffeId,
        hint: identity.name,
        token: (
          await this.authority.signJwtSvid(
            identity.spiffeId,
            audience,
            identity.jwtClaims,
            settings.jwtSvidTtlMs,
          )
        ).token,
      })),
    );
  }

  bundles(): readonly TrustBundle[] {
    return [this.authority.bundle()];
  }

  async validateJwtSvid(token: string, audience: string) {
    try {
      return await this.authority.validateJwtSvid(token, audience);
    } catch (error) {
      throw new WorkloadIdentityError(
        'invalid_token',
        `the JWT-SVID is not valid: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One line per issuance: to whom (pid, container, runtime) and which identities. */
  #issued(
    kind: 'x509' | 'jwt',
    attestation: AttestedWorkload,
    identities: readonly IssuedIdentity[],
  ): void {
    this.logger.info('identity issued', {
      svid: kind,
      pid: attestation.pid,
      containerId: attestation.containerId,
      runtime: attestation.runtime.kind,
      identities: identities.map(({ name }) => name),
      spiffeIds: identities.map(({ spiffeId }) => spiffeId),
    });
  }

  /** The caller's identities under the policy in force, or a refusal saying why there are none. */
  async #identities(
    caller: WorkloadCaller,
    signal: AbortSignal,
  ): Promise<{
    identities: readonly IssuedIdentity[];
    settings: IdentitySettings;
    attestation: AttestedWorkload;
  }> {
    const settings = this.#settings;
    let attestation: Attestation;
    try {
      attestation = await this.attestor.attest(caller.pid, signal);
    } catch (error) {
      if (!AttestationError.is(error)) throw error;
      throw new WorkloadIdentityError(ATTESTATION_CODES[error.code], error.message, {
        cause: error,
      });
    }
    const selection = settings.policy.select(attestation);
    for (const { name, error } of selection.unrenderable)
      this.logger.warn('identity left out: its templates do not render for this workload', {
        identity: name,
        pid: caller.pid,
        code: error.code,
        ...(error.attribute === undefined ? {} : { attribute: error.attribute }),
        reason: error.message,
      });
    // Only a container is ever issued an identity.
    if (selection.issued.length > 0 && attestation.kind === 'attested')
      return { identities: selection.issued, settings, attestation };
    const [unrenderable] = selection.unrenderable;
    if (unrenderable !== undefined)
      throw new WorkloadIdentityError(
        'permission_denied',
        `process ${String(caller.pid)}: identity ${unrenderable.name} cannot be issued: ${unrenderable.error.message}`,
      );
    throw new WorkloadIdentityError('permission_denied', refusal(attestation, selection).message);
  }
}
