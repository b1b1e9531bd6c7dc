import { errors as undiciErrors } from 'undici';

import { ResponseTooLargeError } from './bounded-body.js';

/**
 * What went wrong with one request, in the terms every port's error codes are made of:
 * - `timeout`: the deadline passed (the caller's signal said so, or undici's own timers);
 * - `cancelled`: the caller's signal aborted for another reason (the caller went away);
 * - `too_large`: the answer was over the size the request allowed;
 * - `unreachable`: nothing could be connected to (no socket, refused, reset, no route);
 * - `other`: anything else the transport threw (a malformed answer, a TLS failure).
 */
export type TransportFailureKind = 'timeout' | 'cancelled' | 'too_large' | 'unreachable' | 'other';

export interface TransportFailure {
  readonly kind: TransportFailureKind;
  /** The system error code (`ECONNREFUSED`), when there is one. */
  readonly code?: string;
  /** The transport's own message, for the error an adapter makes of it. */
  readonly reason: string;
}

/** Codes of a connection that could not be made or was cut: the peer is not there. */
const UNREACHABLE_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EACCES',
  'EPERM',
  'ENOTSOCK',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Classifies what an undici request (or reading its body) threw. `signal` is the request's
 * signal: once it has aborted, its reason decides (a `TimeoutError` reason is a deadline),
 * whatever undici made of the abort. Every adapter maps the kind to its port's codes, so that
 * a refused connection or a deadline reads the same from any of them.
 */
export function classifyTransportFailure(error: unknown, signal?: AbortSignal): TransportFailure {
  const reason = error instanceof Error ? error.message : String(error);
  const rawCode = (error as { code?: unknown } | null)?.code;
  const code = typeof rawCode === 'string' ? rawCode : undefined;
  const failure = (kind: TransportFailureKind): TransportFailure =>
    code === undefined ? { kind, reason } : { kind, code, reason };
  if (signal?.aborted === true) {
    const reasonOfAbort: unknown = signal.reason;
    return failure(
      reasonOfAbort instanceof Error && reasonOfAbort.name === 'TimeoutError'
        ? 'timeout'
        : 'cancelled',
    );
  }
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    (error instanceof Error && error.name === 'TimeoutError')
  )
    return failure('timeout');
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError || ResponseTooLargeError.is(error))
    return failure('too_large');
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return failure('unreachable');
  return failure('other');
}
