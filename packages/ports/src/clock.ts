/**
 * The time source. Injected everywhere time matters (cache expiry, deadlines, latency
 * measurements) so that tests can drive it.
 */
export interface Clock {
  /** Wall-clock time in milliseconds since the Unix epoch. */
  now(): number;
  /** A monotonic reading in milliseconds, for measuring durations; unrelated to wall time. */
  monotonic(): number;
}
