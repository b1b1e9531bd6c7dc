import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { type Deadline, withDeadline } from './deadline.js';

/** A call that never finishes on its own: it ends only when its signal aborts. */
function untilAborted(deadline: Deadline): Promise<never> {
  return new Promise((_, reject) => {
    deadline.signal.addEventListener(
      'abort',
      () => {
        reject(deadline.signal.reason as Error);
      },
      { once: true },
    );
  });
}

describe(withDeadline, () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts a call that is still running when the deadline passes', async () => {
    let seen: Deadline | undefined;
    const call = withDeadline(1_000, undefined, (deadline) => {
      seen = deadline;
      return untilAborted(deadline);
    });
    const settled = expect(call).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'no complete answer within 1000 ms',
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(seen?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(seen?.expired).toBe(true);
    expect(seen?.callerAborted).toBe(false);
  });

  it("passes on the caller's abort and its reason, and says it was the caller's", async () => {
    const caller = new AbortController();
    let seen: Deadline | undefined;
    const call = withDeadline(60_000, caller.signal, (deadline) => {
      seen = deadline;
      return untilAborted(deadline);
    });
    const reason = new Error('the client went away');
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(seen?.callerAborted).toBe(true);
    expect(seen?.expired).toBe(false);
  });

  it('starts aborted when the caller has already aborted', async () => {
    const caller = new AbortController();
    caller.abort(new Error('too late'));
    const aborted = await withDeadline(60_000, caller.signal, (deadline) =>
      Promise.resolve(deadline.signal.aborted),
    );
    expect(aborted).toBe(true);
  });

  it('leaves no timer and no listener behind once the call settles', async () => {
    const caller = new AbortController();
    const remove = vi.spyOn(caller.signal, 'removeEventListener');
    await expect(withDeadline(60_000, caller.signal, () => Promise.resolve('done'))).resolves.toBe(
      'done',
    );
    await expect(
      withDeadline(60_000, caller.signal, () => Promise.reject(new Error('failed'))),
    ).rejects.toThrow('failed');
    expect(vi.getTimerCount()).toBe(0);
    expect(remove).toHaveBeenCalledTimes(2);
  });
});
