/**
 * The CLI's exit codes, one table every command follows. Scripts depend on them: keep them
 * stable, and keep the README's table in step (a test compares them).
 */
export const ExitCode = {
  /** Success: the answer was given (a process outside any container is an answer). */
  ok: 0,
  /** The input was read but is invalid: configuration errors, malformed cgroup text. */
  invalid: 1,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  usage: 2,
  /** Something could not be read or reached: a file, a process, a runtime, the agent. */
  unavailable: 3,
  /**
   * Refused: the process could not be tied to a container (it exited or its PID was reused
   * meanwhile, its pid namespace does not match, the container is unknown or stopped), or the
   * agent gave the caller no identity.
   */
  refused: 4,
  /** A negative verdict: an image or bundle not verified, a signer not allowed, a JWT not valid. */
  negative: 5,
  /** A bug: an unexpected exception. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table as `attestor --help` and the README print it. */
export const EXIT_CODE_TABLE: readonly (readonly [ExitCode, string])[] = [
  [ExitCode.ok, 'success (a process outside any container is a success: {"containerId": null})'],
  [ExitCode.invalid, 'invalid input: configuration errors, malformed cgroup text'],
  [ExitCode.usage, 'usage error: unknown command or option, missing argument'],
  [
    ExitCode.unavailable,
    'unavailable: a file, process, runtime or the agent could not be read or reached',
  ],
  [ExitCode.refused, 'refused: the process could not be tied to a container, or got no identity'],
  [
    ExitCode.negative,
    'negative verdict: not verified, not allowed, a JWT-SVID that does not validate',
  ],
  [ExitCode.internal, 'internal error (a bug; please report it)'],
];
