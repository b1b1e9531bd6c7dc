import type { AttestationErrorCode } from '@attestor/workload-attestor';

/**
 * The HTTP status of the local API's answer for each attestation error code. It lives in the
 * agent, the one adapter that speaks HTTP; the use case only names the code.
 */
export const ATTESTATION_ERROR_STATUS: Readonly<Record<AttestationErrorCode, number>> = {
  attestation_disabled: 503,
  process_not_found: 404,
  process_changed: 409,
  permission_denied: 403,
  malformed_process_data: 422,
  container_unknown: 404,
  container_not_running: 409,
  pid_namespace_mismatch: 409,
  cgroup_mismatch: 409,
  untrusted_cgroup: 409,
  host_pid_namespace_refused: 403,
  runtime_unavailable: 503,
  deadline_exceeded: 504,
  // nginx's "client closed request": nobody reads it, but the log and metrics do.
  cancelled: 499,
};
