import { classifyTransportFailure, readBoundedBody, withDeadline } from '@attestor/adapter-io';
import {
  type ContainerDetails,
  type ContainerRuntime,
  ContainerRuntimeError,
  type ImageDetails,
  type RuntimeEndpoint,
} from '@attestor/ports';
import { Pool } from 'undici';

import {
  jsonNestingExceeds,
  negotiateApiVersion,
  newerThanClient,
  parseContainerInspect,
  parseContainerList,
  parseImageInspect,
  parseMinimumApiVersion,
} from './inspect-parsers.js';
import { rootlessConnector } from './rootless-socket.js';

export interface DockerEngineOptions {
  /** Deadline for one API call: connecting, the headers and the whole body. */
  readonly timeoutMs: number;
  /** Responses larger than this are refused (a hostile or broken daemon cannot exhaust memory). */
  readonly maxResponseBytes: number;
  /**
   * The same for a rootless socket, which its user serves and could fill with anything: lower,
   * since nothing a real rootless Podman answers comes near it.
   */
  readonly maxRootlessResponseBytes: number;
  /** JSON nested deeper than this is refused before it is parsed. */
  readonly maxJsonDepth: number;
  /** A container list longer than this is refused (discovery inspects each entry). */
  readonly maxListedContainers: number;
  /** Concurrent connections per socket. */
  readonly connectionsPerSocket: number;
}

const DEFAULT_DOCKER_ENGINE_OPTIONS: DockerEngineOptions = {
  timeoutMs: 5_000,
  maxResponseBytes: 4 * 1024 * 1024,
  maxRootlessResponseBytes: 1024 * 1024,
  maxJsonDepth: 64,
  maxListedContainers: 1_000,
  connectionsPerSocket: 32,
};

const CONTAINER_ID = /^[0-9a-f]{64}$/;
const IMAGE_REF = /^(?:sha256:)?[0-9a-f]{64}$/;

interface Connection {
  readonly pool: Pool;
  readonly maxResponseBytes: number;
  apiVersion: Promise<string> | undefined;
}

interface Response {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The ContainerRuntime port over the Docker Engine API on a unix socket, which Docker and
 * Podman (its compatible API) both serve. One connection pool per socket; the API version is
 * negotiated once per socket with /_ping and renegotiated after a connection failure (the
 * daemon may have been upgraded). Every error names the socket and what failed.
 */
export class DockerEngineContainerRuntime implements ContainerRuntime {
  readonly #connections = new Map<string, Connection>();
  readonly #options: DockerEngineOptions;

  constructor(options: Partial<DockerEngineOptions> = {}) {
    this.#options = { ...DEFAULT_DOCKER_ENGINE_OPTIONS, ...options };
  }

  async inspectContainer(
    endpoint: RuntimeEndpoint,
    containerId: string,
    signal?: AbortSignal,
  ): Promise<ContainerDetails | undefined> {
    if (!CONTAINER_ID.test(containerId))
      throw new RangeError(`not a container ID: ${JSON.stringify(containerId)}`);
    const response = await this.#getVersioned(
      endpoint,
      `/containers/${containerId}/json`,
      'container inspect',
      signal,
    );
    if (response.status === 404) return undefined;
    return parseContainerInspect(response.body, containerId, endpoint.socketPath);
  }

  async inspectImage(
    endpoint: RuntimeEndpoint,
    imageId: string,
    signal?: AbortSignal,
  ): Promise<ImageDetails | undefined> {
    if (!IMAGE_REF.test(imageId))
      throw new RangeError(`not an image ID: ${JSON.stringify(imageId)}`);
    const response = await this.#getVersioned(
      endpoint,
      `/images/${imageId}/json`,
      'image inspect',
      signal,
    );
    if (response.status === 404) return undefined;
    return parseImageInspect(response.body, endpoint.socketPath);
  }

  async listRunningContainerIds(
    endpoint: RuntimeEndpoint,
    signal?: AbortSignal,
  ): Promise<readonly string[]> {
    const response = await this.#getVersioned(
      endpoint,
      '/containers/json',
      'container list',
      signal,
    );
    if (response.status === 404) throw this.#unexpected(endpoint, 'container list', response);
    return parseContainerList(
      response.body,
      endpoint.socketPath,
      this.#options.maxListedContainers,
    );
  }

  async ping(endpoint: RuntimeEndpoint, signal?: AbortSignal): Promise<string> {
    const header = await this.#pingHeader(
      endpoint,
      this.#connection(endpoint),
      'ping',
      'ping',
      signal,
    );
    if (header === undefined || header === '')
      throw new ContainerRuntimeError(
        'protocol',
        endpoint.socketPath,
        `ping from ${endpoint.kind} at ${endpoint.socketPath}: no Api-Version header`,
      );
    return header;
  }

  /** The `Api-Version` header of a GET /_ping, which must answer 200. */
  async #pingHeader(
    endpoint: RuntimeEndpoint,
    connection: Connection,
    what: string,
    whatUnexpected: string,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const response = await this.#get(endpoint, connection, '/_ping', what, signal, false);
    if (response.status !== 200) throw this.#unexpected(endpoint, whatUnexpected, response);
    const header = response.headers['api-version'];
    return typeof header === 'string' ? header : undefined;
  }

  /** Closes every connection pool; calls still in flight fail at once (`unreachable`). */
  async close(): Promise<void> {
    const pools = [...this.#connections.values()].map((connection) => connection.pool.destroy());
    this.#connections.clear();
    await Promise.allSettled(pools);
  }

  async #getVersioned(
    endpoint: RuntimeEndpoint,
    path: string,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const connection = this.#connection(endpoint);
    // Negotiation is shared by the calls that wait for it: no one caller's signal aborts it.
    connection.apiVersion ??= this.#negotiate(endpoint, connection);
    let version: string;
    try {
      version = await untilAborted(connection.apiVersion, signal, () =>
        this.#aborted(endpoint, what, `${endpoint.kind} at ${endpoint.socketPath}`, signal?.reason),
      );
    } catch (error) {
      if (!(ContainerRuntimeError.is(error) && error.code === 'aborted'))
        connection.apiVersion = undefined;
      throw error;
    }
    const response = await this.#get(endpoint, connection, `/v${version}${path}`, what, signal);
    if (response.status !== 200 && response.status !== 404)
      throw this.#unexpected(endpoint, what, response);
    return response;
  }

  async #negotiate(endpoint: RuntimeEndpoint, connection: Connection): Promise<string> {
    const serverVersion = await this.#pingHeader(
      endpoint,
      connection,
      'API version negotiation',
      'API version negotiation (/_ping)',
      undefined,
    );
    if (serverVersion === undefined || !newerThanClient(serverVersion))
      return negotiateApiVersion(serverVersion, endpoint.socketPath);
    // A daemon newer than us says in /version (unversioned) how old a client it still accepts.
    const version = await this.#get(
      endpoint,
      connection,
      '/version',
      'API version negotiation',
      undefined,
    );
    if (version.status !== 200)
      throw this.#unexpected(endpoint, 'API version negotiation (/version)', version);
    return negotiateApiVersion(
      serverVersion,
      endpoint.socketPath,
      parseMinimumApiVersion(version.body, endpoint.socketPath),
    );
  }

  #connection(endpoint: RuntimeEndpoint): Connection {
    const { socketPath } = endpoint;
    // Per kind too: the limits of a rootless socket are not those of a rootful one.
    const key = `${endpoint.kind} ${socketPath}`;
    let connection = this.#connections.get(key);
    if (connection === undefined) {
      const maxResponseBytes =
        endpoint.kind === 'podman-rootless'
          ? this.#options.maxRootlessResponseBytes
          : this.#options.maxResponseBytes;
      connection = {
        pool: new Pool('http://localhost', {
          socketPath,
          // A rootless socket is checked on every connection: whose it is, and who serves it.
          ...(endpoint.kind === 'podman-rootless' && endpoint.ownerUid !== undefined
            ? { connect: rootlessConnector(socketPath, endpoint.ownerUid) }
            : {}),
          connections: this.#options.connectionsPerSocket,
          headersTimeout: this.#options.timeoutMs,
          bodyTimeout: this.#options.timeoutMs,
          connectTimeout: this.#options.timeoutMs,
          pipelining: 1,
          maxResponseSize: maxResponseBytes,
        }),
        maxResponseBytes,
        apiVersion: undefined,
      };
      this.#connections.set(key, connection);
    }
    return connection;
  }

  /**
   * One GET. Its deadline (timeoutMs) covers the whole exchange, body included: the pool's
   * own timeouts bound only the wait for headers and the gaps between body chunks, which a
   * daemon dripping a byte at a time never exceeds.
   */
  async #get(
    endpoint: RuntimeEndpoint,
    connection: Connection,
    path: string,
    what: string,
    signal: AbortSignal | undefined,
    json = true,
  ): Promise<Response> {
    const where = `${endpoint.kind} at ${endpoint.socketPath}`;
    if (signal?.aborted === true) throw this.#aborted(endpoint, what, where, signal.reason);
    return withDeadline(this.#options.timeoutMs, signal, async (deadline) => {
      try {
        return await this.#exchange(endpoint, connection, path, what, where, deadline.signal, json);
      } catch (error) {
        if (deadline.callerAborted) throw this.#aborted(endpoint, what, where, error);
        if (deadline.expired) {
          connection.apiVersion = undefined;
          throw new ContainerRuntimeError(
            'timeout',
            endpoint.socketPath,
            `${what} from ${where}: no complete answer within ${String(this.#options.timeoutMs)} ms`,
            { cause: error },
          );
        }
        throw error;
      }
    });
  }

  async #exchange(
    endpoint: RuntimeEndpoint,
    connection: Connection,
    path: string,
    what: string,
    where: string,
    signal: AbortSignal,
    json: boolean,
  ): Promise<Response> {
    const { socketPath } = endpoint;
    let response;
    try {
      response = await connection.pool.request({
        path,
        method: 'GET',
        headers: { host: 'docker' },
        signal,
      });
    } catch (error) {
      connection.apiVersion = undefined;
      throw this.#transportError(error, endpoint, what, where);
    }
    const { statusCode, headers, body } = response;
    let text: string;
    try {
      text = (
        await readBoundedBody(body, headers['content-length'], connection.maxResponseBytes)
      ).toString('utf8');
    } catch (error) {
      if (classifyTransportFailure(error).kind === 'too_large')
        throw this.#tooLarge(endpoint, what, where, connection.maxResponseBytes);
      throw this.#transportError(error, endpoint, what, where);
    }
    if (!json) return { status: statusCode, body: text, headers };
    // Checked before parsing: a deeply nested answer would cost the parser (and every
    // attestation waiting behind it on this thread) far more than its size suggests.
    if (jsonNestingExceeds(text, this.#options.maxJsonDepth)) {
      throw new ContainerRuntimeError(
        'protocol',
        socketPath,
        `${what} from ${where}: the response nests deeper than ${String(this.#options.maxJsonDepth)} levels`,
      );
    }
    try {
      return { status: statusCode, body: JSON.parse(text) as unknown, headers };
    } catch (error) {
      // An error answer may be plain text (Docker 28 refuses a too-old version so) or empty
      // (a 404): kept as text, so that the error the caller sees says what the daemon said.
      if (statusCode >= 400) return { status: statusCode, body: text, headers };
      throw new ContainerRuntimeError(
        'protocol',
        socketPath,
        `${what} from ${where}: the response is not JSON (HTTP ${String(statusCode)})`,
        {
          cause: error,
        },
      );
    }
  }

  #aborted(
    endpoint: RuntimeEndpoint,
    what: string,
    where: string,
    cause: unknown,
  ): ContainerRuntimeError {
    return new ContainerRuntimeError(
      'aborted',
      endpoint.socketPath,
      `${what} from ${where}: stopped by the caller (its deadline passed, or it went away)`,
      { cause },
    );
  }

  #tooLarge(
    endpoint: RuntimeEndpoint,
    what: string,
    where: string,
    maxBytes: number,
  ): ContainerRuntimeError {
    return new ContainerRuntimeError(
      'response_too_large',
      endpoint.socketPath,
      `${what} from ${where}: the response is larger than ${String(maxBytes)} bytes`,
    );
  }

  #unexpected(endpoint: RuntimeEndpoint, what: string, response: Response): ContainerRuntimeError {
    const body = response.body;
    const said =
      typeof body === 'string'
        ? body.trim()
        : typeof body === 'object' &&
            body !== null &&
            'message' in body &&
            typeof body.message === 'string'
          ? body.message
          : '';
    // Quoted, so that a daemon's newlines and control characters cannot forge log lines.
    const message = said === '' ? '' : `: ${JSON.stringify(said.slice(0, 200))}`;
    return new ContainerRuntimeError(
      'unexpected_status',
      endpoint.socketPath,
      `${what} from ${endpoint.kind} at ${endpoint.socketPath}: HTTP ${String(response.status)}${message}`,
    );
  }

  #transportError(
    error: unknown,
    endpoint: RuntimeEndpoint,
    what: string,
    where: string,
  ): ContainerRuntimeError {
    if (ContainerRuntimeError.is(error)) return error;
    const { kind, code, reason } = classifyTransportFailure(error);
    if (kind === 'timeout') {
      return new ContainerRuntimeError(
        'timeout',
        endpoint.socketPath,
        `${what} from ${where}: no answer within ${String(this.#options.timeoutMs)} ms`,
        {
          cause: error,
        },
      );
    }
    return new ContainerRuntimeError(
      kind === 'unreachable' ? 'unreachable' : 'protocol',
      endpoint.socketPath,
      `${what}: cannot talk to ${where}: ${code === undefined ? reason : `${code} (${reason})`}`,
      { cause: error },
    );
  }
}

/** `promise`, or the error `aborted()` makes as soon as `signal` aborts, whichever comes first. */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  aborted: () => Error,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(aborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
