import type { Clock } from '@attestor/ports';

import { AttestationError } from './errors.js';

/**
 * The deadline of one attestation and its caller's going away, as one AbortSignal for every
 * runtime call and the image verification. The signal (and its timer) is made only when
 * first asked for, so an attestation served from the cache costs neither; `dispose` clears
 * the timer when the attestation ends.
 *
 * The signal aborts with a `TimeoutError` reason when the deadline passes, so that what it
 * stops can tell a deadline from a caller gone.
 */
export class AttestationDeadline {
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onCallerGone: (() => void) | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
    private readonly clock: Clock,
    private readonly startedAt: number,
  ) {}

  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    const remaining = Math.max(0, this.startedAt + this.timeoutMs - this.clock.monotonic());
    this.#timer = setTimeout(() => {
      controller.abort(this.#timeoutReason());
    }, remaining);
    const { caller } = this;
    if (caller?.aborted === true) {
      controller.abort(caller.reason);
    } else if (caller !== undefined) {
      this.#onCallerGone = () => {
        controller.abort(caller.reason);
      };
      caller.addEventListener('abort', this.#onCallerGone, { once: true });
    }
    return controller.signal;
  }

  /** The attestation error for work that this deadline stopped: timed out or cancelled. */
  error(what: string, cause: unknown): AttestationError {
    const reason: unknown = this.#controller?.signal.reason;
    return reason instanceof Error && reason.name === 'TimeoutError'
      ? new AttestationError(
          'deadline_exceeded',
          `${what}: the attestation did not finish within its ${String(this.timeoutMs)} ms deadline (spec.docker.attestationTimeout)`,
          { cause },
        )
      : new AttestationError('cancelled', `${what}: the caller went away`, { cause });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    if (this.#onCallerGone !== undefined)
      this.caller?.removeEventListener('abort', this.#onCallerGone);
  }

  #timeoutReason(): Error {
    const reason = new Error(`${String(this.timeoutMs)} ms`);
    reason.name = 'TimeoutError';
    return reason;
  }
}
