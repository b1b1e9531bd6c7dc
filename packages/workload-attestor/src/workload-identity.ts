import { parseTemplate, renderSpiffeIdPath, type AttributeSet } from '@attestor/attributes';
import type { WorkloadIdentityConfig } from '@attestor/config';

/**
 * The SPIFFE ID of an attested workload under the `WorkloadIdentity` section:
 * `spiffe://<trustDomain><rendered pathTemplate>`.
 *
 * Throws AttributeError `missing_attribute` when the template references an attribute this
 * workload does not have. For `docker.image.signature.*` that is the specification's rule:
 * verification is fail-open for attestation, but an identity built from a signature
 * attribute is not issued without it. Throws `invalid_spiffe_id_path` when the rendered path
 * is not a valid SPIFFE ID path.
 */
export function spiffeIdOf(identity: WorkloadIdentityConfig, attributes: AttributeSet): string {
  return `spiffe://${identity.trustDomain}${renderSpiffeIdPath(parseTemplate(identity.pathTemplate), attributes)}`;
}
