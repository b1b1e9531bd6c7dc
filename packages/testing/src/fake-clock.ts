import type { Clock } from '@attestor/ports';

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  constructor(
    private wallMs = Date.UTC(2026, 0, 1),
    private monotonicMs = 0,
  ) {}

  now(): number {
    return this.wallMs;
  }

  monotonic(): number {
    return this.monotonicMs;
  }

  advance(ms: number): void {
    this.wallMs += ms;
    this.monotonicMs += ms;
  }
}
