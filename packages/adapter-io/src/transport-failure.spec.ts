import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';

import { classifyTransportFailure } from './transport-failure.js';

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function timeoutReason(): Error {
  const reason = new Error('15000 ms');
  reason.name = 'TimeoutError';
  return reason;
}

describe(classifyTransportFailure, () => {
  it.each([
    ['a refused connection', systemError('ECONNREFUSED', 'connect ECONNREFUSED'), 'unreachable'],
    ['a socket that is not there', systemError('ENOENT', 'connect ENOENT /x.sock'), 'unreachable'],
    ['a cut connection', systemError('ECONNRESET', 'read ECONNRESET'), 'unreachable'],
    [
      'a name that does not resolve',
      systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND'),
      'unreachable',
    ],
    ['undici waiting for headers', new undiciErrors.HeadersTimeoutError(), 'timeout'],
    ['undici waiting for the body', new undiciErrors.BodyTimeoutError(), 'timeout'],
    ['undici waiting to connect', new undiciErrors.ConnectTimeoutError(), 'timeout'],
    ['a TimeoutError', Object.assign(new Error('late'), { name: 'TimeoutError' }), 'timeout'],
    ['an answer over the limit', new undiciErrors.ResponseExceededMaxSizeError(), 'too_large'],
    ['a TLS failure', systemError('CERT_HAS_EXPIRED', 'certificate has expired'), 'other'],
    ['something that is not an Error', 'a string', 'other'],
  ] as const)('says %s is %s', (_case, error, kind) => {
    expect(classifyTransportFailure(error).kind).toBe(kind);
  });

  it('keeps the system code and the message', () => {
    expect(
      classifyTransportFailure(systemError('ECONNREFUSED', 'connect ECONNREFUSED')),
    ).toStrictEqual({
      kind: 'unreachable',
      code: 'ECONNREFUSED',
      reason: 'connect ECONNREFUSED',
    });
    expect(classifyTransportFailure('a string')).toStrictEqual({
      kind: 'other',
      reason: 'a string',
    });
  });

  it('lets an aborted signal decide: a deadline is a timeout, anything else the caller going away', () => {
    const abortError = Object.assign(new Error('This operation was aborted'), {
      name: 'AbortError',
    });
    const deadline = new AbortController();
    deadline.abort(timeoutReason());
    expect(classifyTransportFailure(abortError, deadline.signal).kind).toBe('timeout');
    const caller = new AbortController();
    caller.abort();
    expect(classifyTransportFailure(abortError, caller.signal).kind).toBe('cancelled');
    // Even a refused connection, once the signal has aborted, is the abort's.
    expect(classifyTransportFailure(systemError('ECONNREFUSED', 'x'), caller.signal).kind).toBe(
      'cancelled',
    );
    expect(classifyTransportFailure(abortError, new AbortController().signal).kind).toBe('other');
  });
});
