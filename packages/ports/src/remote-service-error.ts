export type RemoteServiceErrorCode =
  'network_error' | 'timeout' | 'cancelled' | 'bad_response' | 'too_large';

import { CodedError } from './coded-error.js';

/**
 * A registry or transparency log could not give a usable answer. Adapters throw it so that the
 * domain can classify failures (network, timeout, cancelled) without knowing the HTTP client.
 */
export class RemoteServiceError extends CodedError<RemoteServiceErrorCode> {
  static override readonly brand = '@attestor/ports/RemoteServiceError';
  override readonly name = 'RemoteServiceError';

  constructor(
    code: RemoteServiceErrorCode,
    /** Which service failed, e.g. `registry 127.0.0.1:5000` or `rekor https://rekor.example`. */
    readonly service: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(code, message, options);
  }
}
