export type RuntimeResolverErrorCode =
  'invalid_socket_url' | 'invalid_socket_template' | 'invalid_uid';

const runtimeResolverErrorBrand = Symbol.for('@attestor/runtime-resolver/RuntimeResolverError');

/** A socket URL, template or uid that cannot name a runtime socket. */
export class RuntimeResolverError extends Error {
  readonly [runtimeResolverErrorBrand] = true;
  override readonly name = 'RuntimeResolverError';

  constructor(
    readonly code: RuntimeResolverErrorCode,
    message: string,
  ) {
    super(message);
  }

  static is(value: unknown): value is RuntimeResolverError {
    return typeof value === 'object' && value !== null && runtimeResolverErrorBrand in value;
  }
}
