import { closeSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { dirname } from 'node:path';

import { listenOnUnixSocket, peerCredentials, peerPidfd, pidfdAlive } from '@attestor/adapter-io';
import {
  type Logger,
  type TrustBundle,
  type WorkloadCaller,
  WorkloadIdentityError,
  type WorkloadIdentityErrorCode,
  type WorkloadIdentityProvider,
  type X509Svid,
} from '@attestor/ports';
import { create, type JsonObject } from '@bufbuild/protobuf';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';

import {
  JWTBundlesResponseSchema,
  JWTSVIDResponseSchema,
  JWTSVIDSchema,
  SpiffeWorkloadAPI,
  ValidateJWTSVIDResponseSchema,
  X509BundlesResponseSchema,
  X509SVIDResponseSchema,
  X509SVIDSchema,
} from './gen/workload_pb.js';
import { addService, type CallContext, RpcError } from './grpc.js';
import { addHealthService, addReflectionService } from './introspection.js';
import { WORKLOAD_API_SERVER_OPTIONS } from './serving-options.js';

/** The metadata every Workload API request carries, so that a browser cannot be made to. */
const SECURITY_HEADER = 'workload.spiffe.io';

/** Any socket that is readable and writable by every local user: identity comes from the kernel. */
const SOCKET_MODE = 0o666;

/** Connections past this are refused at once (each costs tens of kilobytes). */
const DEFAULT_MAX_CONNECTIONS = 8_192;

/** The peer name of an accepted connection is this and a number never used before. */
const PEER_PREFIX = 'attestor-workload-api-connection-';

export interface WorkloadApiServerOptions {
  readonly socketPath: string;
  /** Connections held at once, past which new ones are closed (default 8,192). */
  readonly maxConnections?: number;
  /** The shortest wait between two X.509-SVID rotations of one stream (a floor for tiny TTLs). */
  readonly minimumRotationMs?: number;
}

/**
 * The SPIFFE Workload API, served over gRPC (h2c) on a unix socket. The caller of each request
 * is the process that made the connection, as SO_PEERCRED and SO_PEERPIDFD name it when the
 * connection is accepted; nothing the caller sends can change whose SVIDs it gets.
 *
 * The agent accepts every connection itself, asks the kernel who made it, and only then hands
 * it to grpc-js. grpc-js tells a handler of its connection only the peer address, which a unix
 * socket does not have: each accepted socket is given one, a name never used twice, under
 * which the kernel's answer is kept until the socket closes. A call whose peer is not such a
 * name is refused.
 */
export class WorkloadApiServer {
  #listener: NetServer | undefined;
  #grpc: Server | undefined;
  readonly #sockets = new Set<Socket>();
  /** The caller of each open connection, by the peer name it was given. */
  readonly #callers = new Map<string, WorkloadCaller>();
  #accepted = 0;

  constructor(
    private readonly provider: WorkloadIdentityProvider,
    private readonly logger: Logger,
    private readonly options: WorkloadApiServerOptions,
  ) {}

  get socketPath(): string {
    return this.options.socketPath;
  }

  async start(): Promise<void> {
    await this.#ensureDirectory();
    const grpc = new Server(WORKLOAD_API_SERVER_OPTIONS);
    addHealthService(grpc, () => this.#listener !== undefined);
    addReflectionService(grpc);
    this.#addWorkloadApi(grpc);
    const injector = grpc.createConnectionInjector(ServerCredentials.createInsecure());
    const listener = createServer((socket) => {
      if (this.#identify(socket)) injector.injectConnection(socket);
    });
    listener.maxConnections = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    try {
      await listenOnUnixSocket(listener, this.socketPath, SOCKET_MODE, 'workloadApiSocketPath');
    } catch (error) {
      grpc.forceShutdown();
      throw error;
    }
    this.#grpc = grpc;
    this.#listener = listener;
    this.logger.info('Workload API listening', { socket: this.socketPath });
  }

  async stop(): Promise<void> {
    const listener = this.#listener;
    if (listener === undefined) return;
    this.#listener = undefined;
    await new Promise<void>((resolve) => {
      listener.close(() => {
        resolve();
      });
      // Open streams would hold close() forever: every connection goes now.
      for (const socket of this.#sockets) socket.destroy();
    });
    this.#grpc?.forceShutdown();
    this.#grpc = undefined;
  }

  /**
   * The directory is made when missing, and never removed or recreated: it may be
   * bind-mounted into containers, and a mount holds on to the directory it was made from.
   */
  async #ensureDirectory(): Promise<void> {
    const directory = dirname(this.socketPath);
    try {
      if (!(await stat(directory)).isDirectory())
        throw new Error(`workloadApiSocketPath: ${directory} is not a directory`);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
      await mkdir(directory, { recursive: true, mode: 0o755 });
    }
  }

  /**
   * Records who is at the other end of a new connection and names the connection for grpc-js;
   * false (and the connection dropped) when the kernel cannot say who it is.
   */
  #identify(socket: Socket): boolean {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    let caller: WorkloadCaller;
    try {
      const { pid, uid, gid } = peerCredentials(socket);
      const pidfd = peerPidfd(socket);
      if (pidfd !== undefined) {
        let open = true;
        socket.once('close', () => {
          open = false;
          closeSync(pidfd);
        });
        caller = { pid, uid, gid, stillConnected: () => open && pidfdAlive(pidfd) };
      } else {
        // No SO_PEERPIDFD (a kernel before 6.5): the attestation's own check of the process's
        // start time is all there is.
        caller = { pid, uid, gid, stillConnected: () => !socket.destroyed };
      }
    } catch (error) {
      this.logger.warn('Workload API connection without peer credentials, dropped', {
        error: error instanceof Error ? error.message : String(error),
      });
      socket.destroy();
      return false;
    }
    const peer = `${PEER_PREFIX}${String(++this.#accepted)}`;
    // An own property in front of net.Socket's getter, which would ask getpeername(2).
    Object.defineProperty(socket, 'remoteAddress', { value: peer });
    this.#callers.set(peer, caller);
    socket.once('close', () => this.#callers.delete(peer));
    return true;
  }

  #addWorkloadApi(grpc: Server): void {
    const provider = this.provider;
    addService(grpc, SpiffeWorkloadAPI, {
      fetchX509SVID: (_request, context) => this.#x509SvidStream(context),
      fetchX509Bundles: (_request, context) =>
        this.#changeStream(context, () =>
          create(X509BundlesResponseSchema, { bundles: x509BundleMap(provider.bundles()) }),
        ),
      fetchJWTSVID: async (request, context) => {
        const caller = this.#caller(context);
        if (request.audience.length === 0 || request.audience.some((audience) => audience === ''))
          throw new RpcError(status.INVALID_ARGUMENT, 'audience must be specified');
        const svids = await this.#answer(caller, () =>
          provider.jwtSvids(
            caller,
            request.audience,
            request.spiffeId === '' ? undefined : request.spiffeId,
            context.signal,
          ),
        );
        return create(JWTSVIDResponseSchema, {
          svids: svids.map((svid) =>
            create(JWTSVIDSchema, { spiffeId: svid.spiffeId, svid: svid.token, hint: svid.hint }),
          ),
        });
      },
      fetchJWTBundles: (_request, context) =>
        this.#changeStream(context, () =>
          create(JWTBundlesResponseSchema, { bundles: jwtBundleMap(provider.bundles()) }),
        ),
      validateJWTSVID: async (request, context) => {
        this.#caller(context);
        if (request.audience === '')
          throw new RpcError(status.INVALID_ARGUMENT, 'audience must be specified');
        if (request.svid === '')
          throw new RpcError(status.INVALID_ARGUMENT, 'svid must be specified');
        try {
          const { spiffeId, claims } = await provider.validateJwtSvid(
            request.svid,
            request.audience,
          );
          return create(ValidateJWTSVIDResponseSchema, {
            spiffeId,
            claims: claims as JsonObject,
          });
        } catch (error) {
          throw toRpcError(error);
        }
      },
      fetchWITSVID: () => {
        throw new RpcError(status.UNIMPLEMENTED, 'WIT-SVIDs are not issued by this agent');
      },
      fetchWITBundles: () => {
        throw new RpcError(status.UNIMPLEMENTED, 'WIT-SVIDs are not issued by this agent');
      },
    });
  }

  /**
   * The caller of a request that carries the security metadata. A request without it gets
   * InvalidArgument, as the standard says; a connection the kernel named no one for never
   * reaches here (it is dropped when accepted).
   */
  #caller(context: CallContext): WorkloadCaller {
    if (context.header(SECURITY_HEADER) !== 'true')
      throw new RpcError(status.INVALID_ARGUMENT, 'security header missing from request');
    const caller = this.#callers.get(context.peer);
    if (caller === undefined)
      throw new RpcError(status.PERMISSION_DENIED, 'the caller could not be identified');
    return caller;
  }

  /**
   * Runs `issue` for `caller` and checks afterwards that the process that connected is still
   * there: its PID then still names it, so the attestation was of the caller and no one else.
   */
  async #answer<T>(caller: WorkloadCaller, issue: () => Promise<T>): Promise<T> {
    let answer: T;
    try {
      answer = await issue();
    } catch (error) {
      if (WorkloadIdentityError.is(error))
        this.logger.info('Workload API request refused', {
          pid: caller.pid,
          uid: caller.uid,
          code: error.code,
          reason: error.message,
        });
      else
        this.logger.error('Workload API request failed', {
          pid: caller.pid,
          error: error instanceof Error ? error.message : String(error),
        });
      throw toRpcError(error);
    }
    if (!caller.stillConnected()) {
      this.logger.warn('Workload API caller went away while it was attested; nothing sent', {
        pid: caller.pid,
      });
      throw new RpcError(status.PERMISSION_DENIED, 'the calling process is gone');
    }
    return answer;
  }

  /** FetchX509SVID: the SVIDs at once, then again at half their lifetime or on any change. */
  async *#x509SvidStream(context: CallContext) {
    const caller = this.#caller(context);
    for (;;) {
      const changed = nextChange(this.provider, context.signal);
      try {
        const svids = await this.#answer(caller, () =>
          this.provider.x509Svids(caller, context.signal),
        );
        const bundles = this.provider.bundles();
        yield create(X509SVIDResponseSchema, {
          svids: svids.map((svid) => x509SvidMessage(svid, bundles)),
        });
        await changed.or(this.#rotationDelay(svids));
      } finally {
        changed.stop();
      }
      if (context.signal.aborted) return;
    }
  }

  /** A stream of `message()`, sent at once and again after every change. */
  async *#changeStream<T>(context: CallContext, message: () => T) {
    this.#caller(context);
    for (;;) {
      const changed = nextChange(this.provider, context.signal);
      try {
        yield message();
        await changed.or(undefined);
      } finally {
        changed.stop();
      }
      if (context.signal.aborted) return;
    }
  }

  /** Half the lifetime left of the SVID that expires first, as SPIRE agents rotate. */
  #rotationDelay(svids: readonly X509Svid[]): number {
    const now = Date.now();
    const earliest = Math.min(...svids.map((svid) => svid.notAfter.getTime()));
    return Math.max((earliest - now) / 2, this.options.minimumRotationMs ?? 1_000);
  }
}

/**
 * A promise that settles on the provider's next change, when `signal` aborts, or after the
 * delay passed to `or()`, whichever is first. `stop()` removes every listener and timer.
 */
function nextChange(provider: WorkloadIdentityProvider, signal: AbortSignal) {
  let wake: () => void = () => undefined;
  const woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const unsubscribe = provider.onChange(() => {
    wake();
  });
  const onAbort = (): void => {
    wake();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  return {
    or(delayMs: number | undefined): Promise<void> {
      if (delayMs !== undefined && Number.isFinite(delayMs))
        timer = setTimeout(wake, Math.min(delayMs, 2 ** 31 - 1));
      return woken;
    },
    stop(): void {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    },
  };
}

function x509SvidMessage(svid: X509Svid, bundles: readonly TrustBundle[]) {
  const trustDomain = new URL(svid.spiffeId).host;
  const bundle = bundles.find((candidate) => candidate.trustDomain === trustDomain);
  return create(X509SVIDSchema, {
    spiffeId: svid.spiffeId,
    x509Svid: concatenate(svid.certificates),
    x509SvidKey: svid.privateKey,
    bundle: concatenate(bundle?.x509Authorities ?? []),
    hint: svid.hint,
  });
}

/** Bundle maps are keyed by the trust domain's SPIFFE ID, `spiffe://example.org`, as SPIRE's. */
function x509BundleMap(bundles: readonly TrustBundle[]): Record<string, Uint8Array> {
  return Object.fromEntries(
    bundles.map((bundle) => [
      `spiffe://${bundle.trustDomain}`,
      concatenate(bundle.x509Authorities),
    ]),
  );
}

function jwtBundleMap(bundles: readonly TrustBundle[]): Record<string, Uint8Array> {
  return Object.fromEntries(
    bundles.map((bundle) => [
      `spiffe://${bundle.trustDomain}`,
      new TextEncoder().encode(JSON.stringify(bundle.jwtKeys)),
    ]),
  );
}

/**
 * The parts end to end, in memory of their own. A stream holds its response for as long as it
 * is open, and Buffer.concat would hand out a slice of Node's shared 64 KiB pool: a thousand
 * open streams kept hundreds of pools alive for a kilobyte or two each.
 */
function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

const CODES: Readonly<Record<WorkloadIdentityErrorCode, status>> = {
  invalid_argument: status.INVALID_ARGUMENT,
  permission_denied: status.PERMISSION_DENIED,
  unavailable: status.UNAVAILABLE,
  invalid_token: status.INVALID_ARGUMENT,
};

/** A provider's refusal as its gRPC status; anything else stays a defect, told to no caller. */
function toRpcError(error: unknown): unknown {
  return WorkloadIdentityError.is(error) ? new RpcError(CODES[error.code], error.message) : error;
}
