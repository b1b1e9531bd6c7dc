import type { Clock } from '@attestor/ports';

/** The process clock: Date.now() for wall time, performance.now() for durations. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }
}
