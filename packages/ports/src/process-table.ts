/**
 * What attestation needs to know about one host process, read at one moment.
 */
export interface ProcessSnapshot {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot. Identifies this process across PID reuse. */
  readonly startTime: bigint;
  /** The pid namespace inode, from the /proc/<pid>/ns/pid link (`pid:[4026531836]` -> 4026531836n). */
  readonly pidNamespace: bigint;
  /** The raw text of /proc/<pid>/cgroup. */
  readonly cgroup: string;
}

/**
 * The host's process table (procfs on Linux). Read-only.
 */
export interface ProcessTable {
  /** Reads a consistent-enough snapshot of `pid`; throws ProcessTableError. */
  snapshot(pid: number): Promise<ProcessSnapshot>;
  /** The real uid of `pid` (host view), from the `Uid:` line of /proc/<pid>/status. */
  uid(pid: number): Promise<number>;
  /** Reads only the start time, for the PID-reuse check at the end of an attestation. */
  startTime(pid: number): Promise<bigint>;
  /** The pid namespace inode of `pid`. */
  pidNamespace(pid: number): Promise<bigint>;
}

export type ProcessTableErrorCode = 'not_found' | 'permission_denied' | 'malformed' | 'io';

/** Brands instances, so that `is()` works across copies of this package. */
const processTableErrorBrand = Symbol.for('@attestor/ports/ProcessTableError');

export class ProcessTableError extends Error {
  readonly [processTableErrorBrand] = true;
  override readonly name = 'ProcessTableError';

  constructor(
    readonly code: ProcessTableErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static is(value: unknown): value is ProcessTableError {
    return typeof value === 'object' && value !== null && processTableErrorBrand in value;
  }
}
