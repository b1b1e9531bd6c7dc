export type RemoteServiceErrorCode =
  'network_error' | 'timeout' | 'cancelled' | 'bad_response' | 'too_large';

const remoteServiceErrorBrand = Symbol.for('@attestor/ports/RemoteServiceError');

/**
 * A registry or transparency log could not give a usable answer. Adapters throw it so that the
 * domain can classify failures (network, timeout, cancelled) without knowing the HTTP client.
 */
export class RemoteServiceError extends Error {
  readonly [remoteServiceErrorBrand] = true;
  override readonly name = 'RemoteServiceError';

  constructor(
    readonly code: RemoteServiceErrorCode,
    /** Which service failed, e.g. `registry 127.0.0.1:5000` or `rekor https://rekor.example`. */
    readonly service: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static is(value: unknown): value is RemoteServiceError {
    return typeof value === 'object' && value !== null && remoteServiceErrorBrand in value;
  }
}
