import type { AttestationError, AttestationErrorCode } from './errors.js';
import type { Attestation } from './workload-attestor.js';

/** The JSON form of an attestation, shared by the agent's API and `attestor attest`. */
export interface AttestationJson {
  readonly pid: number;
  readonly kind: Attestation['kind'];
  readonly containerId?: string;
  readonly runtime?: { readonly kind: string; readonly socket: string; readonly ownerUid?: number };
  readonly pidNamespace?: 'container' | 'host';
  /** Attribute name -> value; uint64 values as decimal strings. */
  readonly attributes: Readonly<Record<string, string>>;
}

export function attestationToJson(attestation: Attestation): AttestationJson {
  if (attestation.kind === 'not_in_container') {
    return {
      pid: attestation.pid,
      kind: attestation.kind,
      attributes: attestation.attributes.toJSON(),
    };
  }
  const { runtime } = attestation;
  return {
    pid: attestation.pid,
    kind: attestation.kind,
    containerId: attestation.containerId,
    runtime: {
      kind: runtime.kind,
      socket: runtime.socketPath,
      ...(runtime.ownerUid === undefined ? {} : { ownerUid: runtime.ownerUid }),
    },
    pidNamespace: attestation.pidNamespace,
    attributes: attestation.attributes.toJSON(),
  };
}

export function attestationErrorToJson(error: AttestationError): {
  error: { code: AttestationErrorCode; message: string };
} {
  return { error: { code: error.code, message: error.message } };
}

/** The JSON form of a workload's SPIFFE ID, shared by /v1/identity and `attestor attest --identity`. */
export function identityToJson(
  attestation: Attestation,
  spiffeId: string,
): { readonly pid: number; readonly containerId?: string; readonly spiffeId: string } {
  return attestation.kind === 'attested'
    ? { pid: attestation.pid, containerId: attestation.containerId, spiffeId }
    : { pid: attestation.pid, spiffeId };
}
