import {
  type ContainerDetails,
  type ContainerRuntime,
  ContainerRuntimeError,
  type ContainerRuntimeErrorCode,
  type ImageDetails,
  type RuntimeEndpoint,
} from '@attestor/ports';

/**
 * In-memory runtimes keyed by socket path; a socket can be marked down, or hanging (it never
 * answers, and its calls end only when their signal aborts, as the port's contract says), and
 * a single call can be made to fail with a given code.
 */
export class FakeContainerRuntime implements ContainerRuntime {
  readonly #containers = new Map<string, Map<string, ContainerDetails>>();
  readonly #images = new Map<string, Map<string, ImageDetails>>();
  readonly #down = new Set<string>();
  readonly #hanging = new Set<string>();
  readonly #failing = new Map<string, ContainerRuntimeErrorCode>();
  /** Every call, as `method socketPath id`, for asserting what was asked. */
  readonly calls: string[] = [];

  addContainer(socketPath: string, container: ContainerDetails): this {
    this.#map(this.#containers, socketPath).set(container.id, container);
    return this;
  }

  addImage(socketPath: string, imageId: string, image: ImageDetails): this {
    this.#map(this.#images, socketPath).set(imageId, image);
    return this;
  }

  setHanging(socketPath: string, hanging = true): this {
    if (hanging) this.#hanging.add(socketPath);
    else this.#hanging.delete(socketPath);
    return this;
  }

  /** Makes one call, named as in `calls` (`inspectImage <socket> <id>`), fail with `code`. */
  failCall(call: string, code: ContainerRuntimeErrorCode = 'protocol'): this {
    this.#failing.set(call, code);
    return this;
  }

  setDown(socketPath: string, down = true): this {
    if (down) this.#down.add(socketPath);
    else this.#down.delete(socketPath);
    return this;
  }

  inspectContainer(
    endpoint: RuntimeEndpoint,
    id: string,
    signal?: AbortSignal,
  ): Promise<ContainerDetails | undefined> {
    return this.#answer(`inspectContainer ${endpoint.socketPath} ${id}`, endpoint, signal, () =>
      this.#containers.get(endpoint.socketPath)?.get(id),
    );
  }

  inspectImage(
    endpoint: RuntimeEndpoint,
    imageId: string,
    signal?: AbortSignal,
  ): Promise<ImageDetails | undefined> {
    return this.#answer(`inspectImage ${endpoint.socketPath} ${imageId}`, endpoint, signal, () =>
      this.#images.get(endpoint.socketPath)?.get(imageId),
    );
  }

  /** Answers `1.41`, like the Docker and Podman these tests run on. */
  ping(endpoint: RuntimeEndpoint, signal?: AbortSignal): Promise<string> {
    return this.#answer(`ping ${endpoint.socketPath}`, endpoint, signal, () => '1.41');
  }

  listRunningContainerIds(
    endpoint: RuntimeEndpoint,
    signal?: AbortSignal,
  ): Promise<readonly string[]> {
    return this.#answer(`listRunningContainerIds ${endpoint.socketPath}`, endpoint, signal, () =>
      [...(this.#containers.get(endpoint.socketPath)?.values() ?? [])]
        .filter((c) => c.running)
        .map((c) => c.id),
    );
  }

  #answer<T>(
    call: string,
    endpoint: RuntimeEndpoint,
    signal: AbortSignal | undefined,
    answer: () => T,
  ): Promise<T> {
    this.calls.push(call);
    const aborted = (): ContainerRuntimeError =>
      new ContainerRuntimeError('aborted', endpoint.socketPath, `${call}: stopped by the caller`);
    if (signal?.aborted === true) return Promise.reject(aborted());
    if (this.#hanging.has(endpoint.socketPath)) {
      return new Promise<T>((_resolve, reject) => {
        signal?.addEventListener(
          'abort',
          () => {
            reject(aborted());
          },
          { once: true },
        );
      });
    }
    const failure = this.#failing.get(call);
    if (failure !== undefined) {
      return Promise.reject(
        new ContainerRuntimeError(failure, endpoint.socketPath, `${call}: failed (${failure})`),
      );
    }
    if (this.#down.has(endpoint.socketPath)) {
      return Promise.reject(
        new ContainerRuntimeError(
          'unreachable',
          endpoint.socketPath,
          `cannot connect to ${endpoint.kind} at ${endpoint.socketPath}: connection refused`,
        ),
      );
    }
    return Promise.resolve(answer());
  }

  #map<T>(maps: Map<string, Map<string, T>>, socketPath: string): Map<string, T> {
    let map = maps.get(socketPath);
    if (map === undefined) {
      map = new Map();
      maps.set(socketPath, map);
    }
    return map;
  }
}
