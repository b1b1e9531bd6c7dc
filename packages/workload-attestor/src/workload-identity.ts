import { parseTemplate, renderSpiffeIdPath } from '@attestor/attributes';
import type { WorkloadIdentityConfig } from '@attestor/config';
import { CodedError } from '@attestor/ports';

import type { Attestation } from './workload-attestor.js';

export type IdentityErrorCode =
  /** A rootless runtime (served by its user) vouched, and the identity policy does not allow it. */
  'rootless_runtime_refused';

/** No identity is issued for the workload, though it was attested; the reason says why. */
export class IdentityError extends CodedError<IdentityErrorCode> {
  static override readonly brand = '@attestor/workload-attestor/IdentityError';
  override readonly name = 'IdentityError';
}

/**
 * The SPIFFE ID of an attested workload under the `WorkloadIdentity` section:
 * `spiffe://<trustDomain><rendered pathTemplate>`.
 *
 * Throws IdentityError `rootless_runtime_refused` when a rootless Podman socket vouched for
 * the workload and the section does not set `allowRootlessRuntimes`: that socket's user could
 * have answered anything, so attributes from it may be reported but not turned into an
 * identity unless the operator says so.
 *
 * Throws AttributeError `missing_attribute` when the template references an attribute this
 * workload does not have. For `docker.image.signature.*` that is the specification's rule:
 * verification is fail-open for attestation, but an identity built from a signature
 * attribute is not issued without it. Throws `invalid_spiffe_id_path` when the rendered path
 * is not a valid SPIFFE ID path.
 */
export function spiffeIdOf(identity: WorkloadIdentityConfig, attestation: Attestation): string {
  if (
    attestation.kind === 'attested' &&
    attestation.runtime.kind === 'podman-rootless' &&
    !identity.allowRootlessRuntimes
  ) {
    throw new IdentityError(
      'rootless_runtime_refused',
      `process ${String(attestation.pid)} was vouched for by the rootless Podman socket of uid ${String(attestation.runtime.ownerUid ?? '?')}, which its user controls; the WorkloadIdentity section does not allow rootless runtimes (spec.allowRootlessRuntimes)`,
    );
  }
  return `spiffe://${identity.trustDomain}${renderSpiffeIdPath(parseTemplate(identity.pathTemplate), attestation.attributes)}`;
}
