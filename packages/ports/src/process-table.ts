import { CodedError } from './coded-error.js';

/**
 * A hold on one process, opened by PID (on Linux: its /proc/<pid>/stat kept open). A PID number
 * is recycled by the kernel once its process is gone; a handle never is: it keeps denoting the
 * process it was opened on, or nothing. So anything read by PID after `open` and before a
 * successful `confirm` was read from this very process: had the process exited in between
 * (whether or not its PID was reused), `confirm` would have failed.
 */
export interface ProcessHandle {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot, read when the handle was opened. */
  readonly startTime: bigint;
  /**
   * Returns if the process the handle was opened on still exists (a zombie counts); throws
   * ProcessTableError `not_found` if it has exited.
   */
  confirm(): void;
  /** Releases the handle. Idempotent. */
  close(): void;
}

/** Who a process is (its start time) and where (its pid namespace and cgroups). */
export interface ProcessIdentity {
  readonly startTime: bigint;
  readonly pidNamespace: bigint;
  /** The raw text of its /proc/<pid>/cgroup. */
  readonly cgroup: string;
}

/**
 * The host's process table (procfs on Linux). Read-only. Reads by PID describe whatever
 * process has that PID at the moment of the read; bracket them between `open` and
 * `ProcessHandle.confirm` to tie them to one process.
 *
 * Synchronous on purpose. procfs files are generated from kernel memory and never wait on a
 * disk, so a read costs a few microseconds; a promise per read would cost about as much again,
 * on a path (the cached attestation) that is mostly these reads. Every method throws
 * ProcessTableError.
 */
export interface ProcessTable {
  /** Opens a handle on `pid` and reads its start time. */
  open(pid: number): ProcessHandle;
  /** The raw text of /proc/<pid>/cgroup. */
  cgroup(pid: number): string;
  /** The real uid of `pid` (host view), from the `Uid:` line of /proc/<pid>/status. */
  uid(pid: number): number;
  /**
   * The host user a process belongs to, for choosing whose rootless runtime to ask: its real
   * uid when it is in the host's user namespace; otherwise the uid that owns its user
   * namespace (the user who started the rootless runtime), so that a process running as any
   * user inside a rootless container is tied to that container's owner.
   */
  ownerUid(pid: number): number;
  /** The start time of whatever process has `pid` now (a cached container's init check). */
  startTime(pid: number): bigint;
  /**
   * The start time, pid namespace and cgroups of the process that has `pid`, all read from
   * that one process: if it exits between the reads (its PID perhaps reused), this throws
   * `not_found` rather than mix two processes' facts.
   */
  identify(pid: number): ProcessIdentity;
  /** The pid namespace inode, from the /proc/<pid>/ns/pid link (`pid:[4026531836]` -> 4026531836n). */
  pidNamespace(pid: number): bigint;
}

export type ProcessTableErrorCode = 'not_found' | 'permission_denied' | 'malformed' | 'io';

export class ProcessTableError extends CodedError<ProcessTableErrorCode> {
  static override readonly brand = '@attestor/ports/ProcessTableError';
  override readonly name = 'ProcessTableError';
}
