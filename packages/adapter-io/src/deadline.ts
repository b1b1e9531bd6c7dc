/** What a call run under a deadline can ask of it once something has failed. */
export interface Deadline {
  /** Aborts when the deadline passes or the caller's own signal aborts, whichever is first. */
  readonly signal: AbortSignal;
  /** The deadline itself passed (the caller's signal had not aborted before). */
  readonly expired: boolean;
  /** The caller's signal aborted (its own deadline passed, or the caller went away). */
  readonly callerAborted: boolean;
}

/**
 * Runs `call` with a signal that aborts `timeoutMs` after the start or when `caller` aborts.
 * The one deadline covers the whole exchange: connecting, the headers and every byte of the
 * body. undici's own timeouts bound only the wait for headers and the gaps between chunks, so
 * a peer that drips one byte a second would never trip them. The timer is cleared and the
 * listener on `caller` removed when `call` settles, so that nothing outlives it.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  caller: AbortSignal | undefined,
  call: (deadline: Deadline) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let expired = false;
  const onCallerAbort = (): void => {
    controller.abort(caller?.reason);
  };
  if (caller?.aborted === true) onCallerAbort();
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    if (controller.signal.aborted) return;
    expired = true;
    controller.abort(
      new DOMException(`no complete answer within ${String(timeoutMs)} ms`, 'TimeoutError'),
    );
  }, timeoutMs);
  const deadline: Deadline = {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    get callerAborted() {
      return caller?.aborted === true;
    },
  };
  try {
    return await call(deadline);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onCallerAbort);
  }
}
