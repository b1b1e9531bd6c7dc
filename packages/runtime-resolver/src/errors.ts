import { CodedError } from '@attestor/ports';

export type RuntimeResolverErrorCode =
  'invalid_socket_url' | 'invalid_socket_template' | 'invalid_uid';

/** A socket URL, template or uid that cannot name a runtime socket. */
export class RuntimeResolverError extends CodedError<RuntimeResolverErrorCode> {
  static override readonly brand = '@attestor/runtime-resolver/RuntimeResolverError';
  override readonly name = 'RuntimeResolverError';
}
