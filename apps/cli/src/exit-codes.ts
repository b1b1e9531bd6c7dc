/**
 * The CLI's exit codes. Scripts depend on them: keep them stable and keep the README's table
 * in step.
 */
export const ExitCode = {
  /** Success: valid configuration, a located or attested process (including "not in a container"). */
  ok: 0,
  /** The input was read but is invalid: configuration errors, malformed cgroup text. */
  invalid: 1,
  /** The command line itself is wrong: unknown command or flag, missing argument. */
  usage: 2,
  /** Something could not be read or reached: a missing file or process, a runtime that does not answer. */
  unavailable: 3,
  /**
   * Attestation refused: the process could not be tied to a container (it exited or its PID
   * was reused meanwhile, its pid namespace does not match, the container is unknown or stopped).
   */
  refused: 4,
  /** A bug: an unexpected exception. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
