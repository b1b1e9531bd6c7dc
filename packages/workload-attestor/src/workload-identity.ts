import {
  AttributeError,
  type AttributeSet,
  parseTemplate,
  renderSpiffeIdPath,
  renderTemplate,
  type Template,
} from '@attestor/attributes';
import type { IdentityConfig, WorkloadIdentityConfig } from '@attestor/config';
import { IdentityGlob } from '@attestor/identity-glob';
import { CodedError, type SvidSubject } from '@attestor/ports';

import type { Attestation } from './workload-attestor.js';

export type IdentityErrorCode =
  /** A rootless runtime (served by its user) vouched, and no identity that matched admits it. */
  | 'rootless_runtime_refused'
  /** The workload is in no container, or matches no identity. */
  | 'no_matching_identity';

/** No identity is issued for the workload, though it was attested; the reason says why. */
export class IdentityError extends CodedError<IdentityErrorCode> {
  static override readonly brand = '@attestor/workload-attestor/IdentityError';
  override readonly name = 'IdentityError';
}

/** The X.509 subject of an issued identity, rendered: the one the authority signs. */
export type RenderedSubject = SvidSubject;

/** One identity a workload is entitled to, rendered from its attributes. */
export interface IssuedIdentity {
  readonly name: string;
  readonly spiffeId: string;
  readonly subject: RenderedSubject;
  readonly jwtClaims: Readonly<Record<string, string>>;
}

/** What the identities of a configuration make of one attested workload. */
export interface IdentitySelection {
  /** In file order: the first is the workload's first SVID. */
  readonly issued: readonly IssuedIdentity[];
  /**
   * Identities that matched but could not render (an absent attribute, a value that is not
   * one path segment): left out, the others still issued. The error names the attribute.
   */
  readonly unrenderable: readonly { readonly name: string; readonly error: AttributeError }[];
  /** An identity matched but for admitting rootless Podman, which vouched for the workload. */
  readonly rootlessRefused: boolean;
}

interface CompiledIdentity {
  readonly config: IdentityConfig;
  readonly match: readonly { readonly attribute: string; readonly glob: IdentityGlob }[];
  readonly path: Template;
  readonly subject: readonly [keyof RenderedSubject, Template][];
  readonly claims: readonly [string, Template][];
}

/**
 * The identities of a `WorkloadIdentity` section, compiled once per configuration: every
 * identity whose `match` holds is issued, in file order. A `match` entry names an attribute
 * and an identity glob; a workload without the attribute does not match, and a uint64 value
 * is matched as its decimal text. A workload vouched for by a rootless Podman socket (which
 * its user controls, answers and all) matches only identities that admit it.
 */
export class IdentityPolicy {
  readonly #identities: readonly CompiledIdentity[];

  constructor(readonly config: WorkloadIdentityConfig) {
    this.#identities = config.identities.map((identity) => ({
      config: identity,
      match: identity.match.map(({ attribute, pattern }) => ({
        attribute,
        glob: new IdentityGlob(pattern),
      })),
      path: parseTemplate(identity.pathTemplate),
      // The subject has only optional fields, which Object.entries cannot type by itself.
      subject: (Object.entries(identity.x509Subject) as [keyof RenderedSubject, string][]).map(
        ([field, template]) => [field, parseTemplate(template)] as const,
      ),
      claims: Object.entries(identity.jwtClaims).map(
        ([claim, template]) => [claim, parseTemplate(template)] as const,
      ),
    }));
  }

  select(attestation: Attestation): IdentitySelection {
    const issued: IssuedIdentity[] = [];
    const unrenderable: { name: string; error: AttributeError }[] = [];
    let rootlessRefused = false;
    if (attestation.kind !== 'attested') return { issued, unrenderable, rootlessRefused };
    const rootless = attestation.runtime.kind === 'podman-rootless';
    for (const identity of this.#identities) {
      if (!matches(identity, attestation.attributes)) continue;
      if (rootless && !identity.config.admitsRootless) {
        rootlessRefused = true;
        continue;
      }
      try {
        issued.push(this.#render(identity, attestation.attributes));
      } catch (error) {
        if (!AttributeError.is(error)) throw error;
        unrenderable.push({ name: identity.config.name, error });
      }
    }
    return { issued, unrenderable, rootlessRefused };
  }

  /**
   * The workload's first identity. Throws the first identity's render error when every
   * identity that matched failed to render, IdentityError `rootless_runtime_refused` when only
   * the rootless rule kept one from matching, and `no_matching_identity` otherwise.
   */
  first(attestation: Attestation): IssuedIdentity {
    const selection = this.select(attestation);
    const [identity] = selection.issued;
    if (identity !== undefined) return identity;
    const [unrenderable] = selection.unrenderable;
    if (unrenderable !== undefined) throw unrenderable.error;
    throw refusal(attestation, selection);
  }

  #render(identity: CompiledIdentity, attributes: AttributeSet): IssuedIdentity {
    const spiffeId = `spiffe://${this.config.trustDomain}${renderSpiffeIdPath(identity.path, attributes)}`;
    return {
      name: identity.config.name,
      spiffeId,
      subject: Object.fromEntries(
        identity.subject.map(([field, template]) => [field, renderTemplate(template, attributes)]),
      ),
      jwtClaims: Object.fromEntries(
        identity.claims.map(([claim, template]) => [claim, renderTemplate(template, attributes)]),
      ),
    };
  }
}

/** Why a workload with no identity left has none. */
export function refusal(attestation: Attestation, selection: IdentitySelection): IdentityError {
  if (attestation.kind !== 'attested')
    return new IdentityError(
      'no_matching_identity',
      `process ${String(attestation.pid)} is not in a container`,
    );
  if (selection.rootlessRefused)
    return new IdentityError(
      'rootless_runtime_refused',
      `process ${String(attestation.pid)} was vouched for by the rootless Podman socket of uid ${String(attestation.runtime.ownerUid ?? '?')}, which its user controls; no identity it matches admits rootless runtimes (an identity does by naming docker.runtime in its match)`,
    );
  return new IdentityError(
    'no_matching_identity',
    `process ${String(attestation.pid)} matches no identity of the WorkloadIdentity section`,
  );
}

function matches(identity: CompiledIdentity, attributes: AttributeSet): boolean {
  return identity.match.every(({ attribute, glob }) => {
    const value = attributes.get(attribute);
    return value !== undefined && glob.matches(String(value.value));
  });
}

/**
 * The SPIFFE ID of an attested workload's first identity under the `WorkloadIdentity`
 * section (see `IdentityPolicy.first`).
 *
 * A template that references an attribute the workload lacks is an AttributeError
 * `missing_attribute`. For `docker.image.signature.*` that is the specification's rule:
 * verification is fail-open for attestation, but an identity built from a signature
 * attribute is not issued without it.
 */
export function spiffeIdOf(identity: WorkloadIdentityConfig, attestation: Attestation): string {
  return new IdentityPolicy(identity).first(attestation).spiffeId;
}
