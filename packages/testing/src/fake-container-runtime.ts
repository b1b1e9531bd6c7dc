import {
  ContainerRuntimeError,
  type ContainerDetails,
  type ContainerRuntime,
  type ImageDetails,
  type RuntimeEndpoint,
} from '@attestor/ports';

/** In-memory runtimes keyed by socket path; a socket can be marked down. */
export class FakeContainerRuntime implements ContainerRuntime {
  readonly #containers = new Map<string, Map<string, ContainerDetails>>();
  readonly #images = new Map<string, Map<string, ImageDetails>>();
  readonly #down = new Set<string>();
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

  setDown(socketPath: string, down = true): this {
    if (down) this.#down.add(socketPath);
    else this.#down.delete(socketPath);
    return this;
  }

  inspectContainer(endpoint: RuntimeEndpoint, id: string): Promise<ContainerDetails | undefined> {
    return this.#answer(`inspectContainer ${endpoint.socketPath} ${id}`, endpoint, () =>
      this.#containers.get(endpoint.socketPath)?.get(id),
    );
  }

  inspectImage(endpoint: RuntimeEndpoint, imageId: string): Promise<ImageDetails | undefined> {
    return this.#answer(`inspectImage ${endpoint.socketPath} ${imageId}`, endpoint, () =>
      this.#images.get(endpoint.socketPath)?.get(imageId),
    );
  }

  listRunningContainerIds(endpoint: RuntimeEndpoint): Promise<readonly string[]> {
    return this.#answer(`listRunningContainerIds ${endpoint.socketPath}`, endpoint, () =>
      [...(this.#containers.get(endpoint.socketPath)?.values() ?? [])]
        .filter((c) => c.running)
        .map((c) => c.id),
    );
  }

  #answer<T>(call: string, endpoint: RuntimeEndpoint, answer: () => T): Promise<T> {
    this.calls.push(call);
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
