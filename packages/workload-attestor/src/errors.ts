import { CodedError } from '@attestor/ports';

export type AttestationErrorCode =
  /** Docker attestation is off in the configuration: nothing about the process was looked at. */
  | 'attestation_disabled'

  /** The PID does not exist (any more). */
  | 'process_not_found'
  /** The process exited or its PID was reused while it was being attested. */
  | 'process_changed'
  /** The agent may not read the process's /proc files. */
  | 'permission_denied'
  /** /proc/<pid> or its cgroup text could not be understood. */
  | 'malformed_process_data'
  /** The cgroup names a container that no reachable runtime knows. */
  | 'container_unknown'
  /** The runtime knows the container but it is not running (it exited meanwhile). */
  | 'container_not_running'
  /** The container's init process is not in the workload's pid namespace. */
  | 'pid_namespace_mismatch'
  /** The workload is not within the container init's cgroups (a directory named after it is not enough). */
  | 'cgroup_mismatch'
  /** A rootful runtime's container was found under a cgroup directory a user owns. */
  | 'untrusted_cgroup'
  /** The container shares the host pid namespace, and attesting such containers is off. */
  | 'host_pid_namespace_refused'
  /** No runtime that could know the container answered. */
  | 'runtime_unavailable'
  /** The attestation did not finish within its deadline (spec.docker.attestationTimeout). */
  | 'deadline_exceeded'
  /** The caller went away before the attestation finished. */
  | 'cancelled';

/** Attestation failed: no attribute is returned, the reason says why. */
export class AttestationError extends CodedError<AttestationErrorCode> {
  static override readonly brand = '@attestor/workload-attestor/AttestationError';
  override readonly name = 'AttestationError';
}
