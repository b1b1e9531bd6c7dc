import {
  ContainerRuntimeError,
  type ContainerDetails,
  type ContainerRuntime,
  type ImageDetails,
  type RuntimeEndpoint,
} from '@attestor/ports';
import { errors as undiciErrors, Pool } from 'undici';

import {
  negotiateApiVersion,
  parseContainerInspect,
  parseContainerList,
  parseImageInspect,
} from './inspect-parsers.js';

export interface DockerEngineOptions {
  /** Deadline for one API call, connection included. */
  readonly timeoutMs: number;
  /** Responses larger than this are refused (a hostile or broken daemon cannot exhaust memory). */
  readonly maxResponseBytes: number;
  /** Concurrent connections per socket. */
  readonly connectionsPerSocket: number;
}

const DEFAULT_OPTIONS: DockerEngineOptions = {
  timeoutMs: 5_000,
  maxResponseBytes: 4 * 1024 * 1024,
  connectionsPerSocket: 32,
};

const CONTAINER_ID = /^[0-9a-f]{64}$/;
const IMAGE_REF = /^(?:sha256:)?[0-9a-f]{64}$/;

interface Connection {
  readonly pool: Pool;
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
    this.#options = { ...DEFAULT_OPTIONS, ...options };
  }

  async inspectContainer(
    endpoint: RuntimeEndpoint,
    containerId: string,
  ): Promise<ContainerDetails | undefined> {
    if (!CONTAINER_ID.test(containerId))
      throw new RangeError(`not a container ID: ${JSON.stringify(containerId)}`);
    const response = await this.#getVersioned(
      endpoint,
      `/containers/${containerId}/json`,
      'container inspect',
    );
    if (response.status === 404) return undefined;
    return parseContainerInspect(response.body, containerId, endpoint.socketPath);
  }

  async inspectImage(
    endpoint: RuntimeEndpoint,
    imageId: string,
  ): Promise<ImageDetails | undefined> {
    if (!IMAGE_REF.test(imageId))
      throw new RangeError(`not an image ID: ${JSON.stringify(imageId)}`);
    const response = await this.#getVersioned(endpoint, `/images/${imageId}/json`, 'image inspect');
    if (response.status === 404) return undefined;
    return parseImageInspect(response.body, endpoint.socketPath);
  }

  async listRunningContainerIds(endpoint: RuntimeEndpoint): Promise<readonly string[]> {
    const response = await this.#getVersioned(endpoint, '/containers/json', 'container list');
    if (response.status === 404) throw this.#unexpected(endpoint, 'container list', response);
    return parseContainerList(response.body, endpoint.socketPath);
  }

  async close(): Promise<void> {
    const pools = [...this.#connections.values()].map((connection) => connection.pool.close());
    this.#connections.clear();
    await Promise.allSettled(pools);
  }

  async #getVersioned(endpoint: RuntimeEndpoint, path: string, what: string): Promise<Response> {
    const connection = this.#connection(endpoint.socketPath);
    connection.apiVersion ??= this.#negotiate(endpoint, connection);
    let version: string;
    try {
      version = await connection.apiVersion;
    } catch (error) {
      connection.apiVersion = undefined;
      throw error;
    }
    const response = await this.#get(endpoint, connection, `/v${version}${path}`, what);
    if (response.status !== 200 && response.status !== 404)
      throw this.#unexpected(endpoint, what, response);
    return response;
  }

  async #negotiate(endpoint: RuntimeEndpoint, connection: Connection): Promise<string> {
    const response = await this.#get(
      endpoint,
      connection,
      '/_ping',
      'API version negotiation',
      false,
    );
    if (response.status !== 200)
      throw this.#unexpected(endpoint, 'API version negotiation (/_ping)', response);
    const header = response.headers['api-version'];
    return negotiateApiVersion(
      typeof header === 'string' ? header : undefined,
      endpoint.socketPath,
    );
  }

  #connection(socketPath: string): Connection {
    let connection = this.#connections.get(socketPath);
    if (connection === undefined) {
      connection = {
        pool: new Pool('http://localhost', {
          socketPath,
          connections: this.#options.connectionsPerSocket,
          headersTimeout: this.#options.timeoutMs,
          bodyTimeout: this.#options.timeoutMs,
          connectTimeout: this.#options.timeoutMs,
          pipelining: 1,
          maxResponseSize: this.#options.maxResponseBytes,
        }),
        apiVersion: undefined,
      };
      this.#connections.set(socketPath, connection);
    }
    return connection;
  }

  async #get(
    endpoint: RuntimeEndpoint,
    connection: Connection,
    path: string,
    what: string,
    json = true,
  ): Promise<Response> {
    const { socketPath } = endpoint;
    const where = `${endpoint.kind} at ${socketPath}`;
    let response;
    try {
      response = await connection.pool.request({
        path,
        method: 'GET',
        // Deadlines come from the pool (connect, headers and body timeouts): a per-request
        // AbortSignal.timeout would leave one pending timer per request for the whole timeout.
        headers: { host: 'docker' },
      });
    } catch (error) {
      connection.apiVersion = undefined;
      throw this.#transportError(error, endpoint, what, where);
    }
    const { statusCode, headers, body } = response;
    const declared = Number(headers['content-length'] ?? 0);
    if (declared > this.#options.maxResponseBytes) {
      body.destroy();
      throw this.#tooLarge(endpoint, what, where);
    }
    let text: string;
    try {
      // The pool's maxResponseSize aborts a body that grows past the limit while streaming.
      text = await body.text();
    } catch (error) {
      if (error instanceof undiciErrors.ResponseExceededMaxSizeError)
        throw this.#tooLarge(endpoint, what, where);
      throw this.#transportError(error, endpoint, what, where);
    }
    if (!json || (statusCode === 404 && text.trim() === ''))
      return { status: statusCode, body: text, headers };
    try {
      return { status: statusCode, body: JSON.parse(text) as unknown, headers };
    } catch (error) {
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

  #tooLarge(endpoint: RuntimeEndpoint, what: string, where: string): ContainerRuntimeError {
    return new ContainerRuntimeError(
      'response_too_large',
      endpoint.socketPath,
      `${what} from ${where}: the response is larger than ${String(this.#options.maxResponseBytes)} bytes`,
    );
  }

  #unexpected(endpoint: RuntimeEndpoint, what: string, response: Response): ContainerRuntimeError {
    const body = response.body;
    const message =
      typeof body === 'object' &&
      body !== null &&
      'message' in body &&
      typeof body.message === 'string'
        ? `: ${JSON.stringify(body.message.slice(0, 200))}`
        : '';
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
    const reason = error instanceof Error ? error.message : String(error);
    const code =
      typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const timedOut =
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError ||
      (error instanceof Error && error.name === 'TimeoutError');
    if (timedOut) {
      return new ContainerRuntimeError(
        'timeout',
        endpoint.socketPath,
        `${what} from ${where}: no answer within ${String(this.#options.timeoutMs)} ms`,
        {
          cause: error,
        },
      );
    }
    const connectFailure = [
      'ENOENT',
      'ECONNREFUSED',
      'EACCES',
      'EPERM',
      'ENOTSOCK',
      'ECONNRESET',
      'EPIPE',
    ].includes(code);
    return new ContainerRuntimeError(
      connectFailure ? 'unreachable' : 'protocol',
      endpoint.socketPath,
      `${what}: cannot talk to ${where}: ${code === '' ? reason : `${code} (${reason})`}`,
      { cause: error },
    );
  }
}
