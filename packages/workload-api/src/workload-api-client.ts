import { connect } from 'node:net';

import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';

import { SpiffeWorkloadAPI } from './gen/workload_pb.js';

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

const HEADERS = { 'workload.spiffe.io': 'true' };

/**
 * A client of the Workload API on a unix socket, for the CLI (`attestor svid ...`). Each call
 * has a deadline; streams are read for their first message only.
 */
export class WorkloadApiClient {
  readonly #client;

  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 10_000,
  ) {
    const transport = createGrpcTransport({
      baseUrl: 'http://localhost',
      nodeOptions: { createConnection: () => connect(socketPath) },
    });
    this.#client = createClient(SpiffeWorkloadAPI, transport);
  }

  async x509Svids(): Promise<FetchedX509Svid[]> {
    return this.#call(async (signal) => {
      for await (const response of this.#client.fetchX509SVID({}, { headers: HEADERS, signal }))
        return response.svids.map((svid) => ({
          spiffeId: svid.spiffeId,
          hint: svid.hint,
          certificates: splitDer(svid.x509Svid),
          privateKey: svid.x509SvidKey,
          bundle: splitDer(svid.bundle),
        }));
      throw new WorkloadApiCallError('unavailable', 'the stream ended without an answer');
    });
  }

  jwtSvids(
    audience: readonly string[],
    spiffeId?: string,
  ): Promise<{ spiffeId: string; token: string; hint: string }[]> {
    return this.#call(async (signal) => {
      const response = await this.#client.fetchJWTSVID(
        { audience: [...audience], spiffeId: spiffeId ?? '' },
        { headers: HEADERS, signal },
      );
      return response.svids.map(({ spiffeId: id, svid, hint }) => ({
        spiffeId: id,
        token: svid,
        hint,
      }));
    });
  }

  validateJwtSvid(
    token: string,
    audience: string,
  ): Promise<{ spiffeId: string; claims: Record<string, unknown> }> {
    return this.#call(async (signal) => {
      const response = await this.#client.validateJWTSVID(
        { svid: token, audience },
        { headers: HEADERS, signal },
      );
      return { spiffeId: response.spiffeId, claims: { ...(response.claims ?? {}) } };
    });
  }

  async #call<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      return await call(signal);
    } catch (error) {
      if (error instanceof WorkloadApiCallError) throw error;
      const connectError = ConnectError.from(error);
      const kind: WorkloadApiErrorKind =
        connectError.code === Code.PermissionDenied
          ? 'denied'
          : connectError.code === Code.InvalidArgument
            ? 'invalid'
            : 'unavailable';
      throw new WorkloadApiCallError(
        kind,
        `${this.socketPath}: ${connectError.rawMessage} (${Code[connectError.code]})`,
        { cause: error },
      );
    }
  }
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
