import { FakeClock } from '@attestor/testing';
import { describe, expect, it } from 'vitest';

import { AttestationDeadline } from './attestation-deadline.js';

describe(AttestationDeadline, () => {
  it('is aborted from the start when its caller has already gone, and says cancelled', () => {
    const clock = new FakeClock();
    const deadline = new AttestationDeadline(15_000, AbortSignal.abort(), clock, clock.monotonic());
    try {
      expect(deadline.signal.aborted).toBe(true);
      expect(deadline.error('process 7', undefined)).toMatchObject({
        code: 'cancelled',
        message: 'process 7: the caller went away',
      });
    } finally {
      deadline.dispose();
    }
  });

  it('aborts when its caller goes away later, and no longer listens once disposed', () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    const deadline = new AttestationDeadline(15_000, caller.signal, clock, clock.monotonic());
    const { signal } = deadline;
    expect(signal.aborted).toBe(false);
    caller.abort();
    expect(signal.aborted).toBe(true);
    deadline.dispose();
  });

  it('says deadline_exceeded, naming the setting, once its time has passed', async () => {
    const clock = new FakeClock();
    const deadline = new AttestationDeadline(1, undefined, clock, clock.monotonic());
    const { signal } = deadline;
    await new Promise((resolve) => {
      signal.addEventListener('abort', resolve, { once: true });
    });
    expect(deadline.error('container c', undefined)).toMatchObject({
      code: 'deadline_exceeded',
      message:
        'container c: the attestation did not finish within its 1 ms deadline (spec.docker.attestationTimeout)',
    });
    deadline.dispose();
  });
});
