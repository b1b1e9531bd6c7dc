import {
  create,
  type DescMethod,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import {
  type CallOptions,
  Client,
  credentials,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';

import { SpiffeWorkloadAPI } from './gen/workload_pb.js';
import { methodDefinition } from './grpc.js';

/** Where a client looks for the Workload API: `$SPIFFE_ENDPOINT_SOCKET`, then the default. */
export const DEFAULT_WORKLOAD_API_SOCKET = '/run/attestor/workload/api.sock';

/**
 * The socket path of a SPIFFE endpoint address as `SPIFFE_ENDPOINT_SOCKET` gives it
 * (`unix:///run/spiffe/api.sock`, or `unix:/run/...`), or a plain absolute path. Throws
 * RangeError for anything else (a `tcp:` address is not served by this agent).
 */
export function socketPathOf(address: string): string {
  if (address.startsWith('/')) return address;
  const match = /^unix:(?:\/\/)?(\/(?!\/).*)$/.exec(address);
  if (match?.[1] === undefined)
    throw new RangeError(
      `not a unix socket address: ${JSON.stringify(address)} (expected unix:///path or /path)`,
    );
  return match[1];
}

export interface FetchedX509Svid {
  readonly spiffeId: string;
  readonly hint: string;
  /** DER certificates, the SVID first. */
  readonly certificates: readonly Uint8Array[];
  readonly privateKey: Uint8Array;
  /** DER CA certificates of its trust domain. */
  readonly bundle: readonly Uint8Array[];
}

export type WorkloadApiErrorKind = 'denied' | 'invalid' | 'unavailable';

/** A Workload API call failed; `kind` says whether the agent refused, or could not answer. */
export class WorkloadApiCallError extends Error {
  override readonly name = 'WorkloadApiCallError';
  constructor(
    readonly kind: WorkloadApiErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A client of the Workload API on a unix socket, for the CLI (`attestor svid ...`). Each call
 * has a deadline and a connection of its own; streams are read for their first message only.
 */
export class WorkloadApiClient {
  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async x509Svids(): Promise<FetchedX509Svid[]> {
    const response = await this.#first(SpiffeWorkloadAPI.method.fetchX509SVID, {});
    return response.svids.map((svid) => ({
      spiffeId: svid.spiffeId,
      hint: svid.hint,
      certificates: splitDer(svid.x509Svid),
      privateKey: svid.x509SvidKey,
      bundle: splitDer(svid.bundle),
    }));
  }

  async jwtSvids(
    audience: readonly string[],
    spiffeId?: string,
  ): Promise<{ spiffeId: string; token: string; hint: string }[]> {
    const response = await this.#unary(SpiffeWorkloadAPI.method.fetchJWTSVID, {
      audience: [...audience],
      spiffeId: spiffeId ?? '',
    });
    return response.svids.map(({ spiffeId: id, svid, hint }) => ({
      spiffeId: id,
      token: svid,
      hint,
    }));
  }

  async validateJwtSvid(
    token: string,
    audience: string,
  ): Promise<{ spiffeId: string; claims: Record<string, unknown> }> {
    const response = await this.#unary(SpiffeWorkloadAPI.method.validateJWTSVID, {
      svid: token,
      audience,
    });
    return { spiffeId: response.spiffeId, claims: { ...(response.claims ?? {}) } };
  }

  #unary<M extends DescMethodUnary>(
    method: M,
    request: MessageInitShape<M['input']>,
  ): Promise<MessageShape<M['output']>> {
    return this.#call(
      method,
      request,
      (client, ...call) =>
        new Promise((resolve, reject) => {
          client.makeUnaryRequest(...call, (error, response) => {
            if (error === null && response !== undefined)
              resolve(response as MessageShape<M['output']>);
            else reject(error ?? new Error('no answer'));
          });
        }),
    );
  }

  #first<M extends DescMethodServerStreaming>(
    method: M,
    request: MessageInitShape<M['input']>,
  ): Promise<MessageShape<M['output']>> {
    return this.#call(
      method,
      request,
      (client, ...call) =>
        new Promise((resolve, reject) => {
          const stream = client.makeServerStreamRequest(...call);
          stream.once('data', (response) => {
            resolve(response as MessageShape<M['output']>);
            stream.cancel();
          });
          stream.on('error', reject);
          stream.once('end', () => {
            reject(new WorkloadApiCallError('unavailable', 'the stream ended without an answer'));
          });
        }),
    );
  }

  /** Makes one call of `method` on a client of its own, with the metadata and a deadline. */
  async #call<M extends DescMethod, T>(
    method: M,
    request: MessageInitShape<M['input']>,
    send: (
      client: Client,
      path: string,
      serialize: (message: unknown) => Buffer,
      deserialize: (bytes: Buffer) => unknown,
      argument: unknown,
      metadata: Metadata,
      options: CallOptions,
    ) => Promise<T>,
  ): Promise<T> {
    const client = new Client(`unix:${this.socketPath}`, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('workload.spiffe.io', 'true');
    const { path, requestSerialize, responseDeserialize } = methodDefinition(
      SpiffeWorkloadAPI,
      method,
    );
    try {
      return await send(
        client,
        path,
        requestSerialize,
        responseDeserialize,
        create(method.input, request),
        metadata,
        { deadline: new Date(Date.now() + this.timeoutMs) },
      );
    } catch (error) {
      if (error instanceof WorkloadApiCallError) throw error;
      const { code, details } = error as ServiceError;
      const kind: WorkloadApiErrorKind =
        code === status.PERMISSION_DENIED
          ? 'denied'
          : code === status.INVALID_ARGUMENT
            ? 'invalid'
            : 'unavailable';
      throw new WorkloadApiCallError(kind, `${this.socketPath}: ${details} (${codeName(code)})`, {
        cause: error,
      });
    } finally {
      client.close();
    }
  }
}

/** A gRPC status code by its name as gRPC tools print it: `PermissionDenied`. */
function codeName(code: status): string {
  const name = status[code] as string | undefined;
  if (name === undefined) return `code ${String(code)}`;
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** The DER certificates of a concatenation (each a SEQUENCE with a definite length). */
export function splitDer(bytes: Uint8Array): Uint8Array[] {
  const certificates: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0x30) throw new RangeError(`not DER at byte ${String(offset)}`);
    const first = bytes[offset + 1] ?? 0;
    let length = first;
    let header = 2;
    if (first & 0x80) {
      const count = first & 0x7f;
      if (count === 0 || count > 4)
        throw new RangeError(`unsupported DER length at byte ${String(offset)}`);
      length = 0;
      for (let index = 0; index < count; index++)
        length = length * 256 + (bytes[offset + 2 + index] ?? 0);
      header = 2 + count;
    }
    const end = offset + header + length;
    if (end > bytes.length) throw new RangeError(`DER truncated at byte ${String(offset)}`);
    certificates.push(bytes.subarray(offset, end));
    offset = end;
  }
  return certificates;
}
