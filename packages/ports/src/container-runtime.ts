import { CodedError } from './coded-error.js';

/** Which runtime vouches for a container. */
export type RuntimeKind = 'docker' | 'podman' | 'podman-rootless';

/** One runtime API socket to ask. */
export interface RuntimeEndpoint {
  readonly kind: RuntimeKind;
  /** Absolute path of the unix socket. */
  readonly socketPath: string;
  /** For rootless Podman: the uid that owns (and controls) the socket. */
  readonly ownerUid?: number;
}

/** The facts of a container inspect that attestation uses. */
export interface ContainerDetails {
  /** The full 64-hex container ID. */
  readonly id: string;
  /** The image reference as recorded when the container was created (`Config.Image`). */
  readonly imageReference: string;
  /** The image ID the container runs (`Image`), e.g. `sha256:<hex>`. */
  readonly imageId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `KEY=VALUE` strings. Secrets until a filter says otherwise: never log them. */
  readonly env: readonly string[];
  /** Host PID of the container's init process; 0 when not running. */
  readonly initPid: number;
  readonly running: boolean;
  // No PidMode: whether a container shares the host pid namespace is read from its init
  // process, never taken from the runtime's word.
}

/**
 * The facts of an image inspect that attestation uses. A runtime names an image either by its
 * config digest (Docker's classic store, Podman) or by the digest of the index or manifest it
 * was pulled as (Docker's containerd image store); exactly one of the two is set.
 */
export type ImageDetails = ImageIdentity & {
  /** `registry/repository@sha256:<hex>` references under which the image was pushed or pulled. */
  readonly repoDigests: readonly string[];
};

export type ImageIdentity =
  | {
      /** The image config digest, `sha256:<hex>`. */
      readonly configDigest: string;
      readonly targetDigest?: undefined;
    }
  | {
      readonly configDigest?: undefined;
      /** The digest of the index or manifest the store names the image by, `sha256:<hex>`. */
      readonly targetDigest: string;
    };

/**
 * A container runtime API (Docker Engine API, Podman's compatible or libpod API).
 * `undefined` means "this runtime does not know that object"; failures throw ContainerRuntimeError.
 *
 * Each call has a deadline of its own that covers the whole answer, body included (`timeout`),
 * and stops as soon as `signal` aborts (`aborted`): the caller's deadline, or a caller gone.
 */
export interface ContainerRuntime {
  inspectContainer(
    endpoint: RuntimeEndpoint,
    containerId: string,
    signal?: AbortSignal,
  ): Promise<ContainerDetails | undefined>;
  inspectImage(
    endpoint: RuntimeEndpoint,
    imageId: string,
    signal?: AbortSignal,
  ): Promise<ImageDetails | undefined>;
  /**
   * IDs of the running containers, for discovery when the cgroup path names no container. A
   * list longer than the runtime adapter's documented cap is `response_too_large`.
   */
  listRunningContainerIds(
    endpoint: RuntimeEndpoint,
    signal?: AbortSignal,
  ): Promise<readonly string[]>;
  /** The API version the daemon says it speaks, asked now, never from a cache. */
  ping(endpoint: RuntimeEndpoint, signal?: AbortSignal): Promise<string>;
}

export type ContainerRuntimeErrorCode =
  | 'unreachable'
  | 'timeout'
  /** The caller's signal aborted the call. */
  | 'aborted'
  | 'protocol'
  | 'response_too_large'
  | 'unexpected_status'
  /**
   * A socket served by a user (rootless Podman) that fails the checks of whose it is: its
   * path is a symlink, its owner or directory is not that user's, or another user serves it.
   */
  | 'untrusted_socket';

export class ContainerRuntimeError extends CodedError<ContainerRuntimeErrorCode> {
  static override readonly brand = '@attestor/ports/ContainerRuntimeError';
  override readonly name = 'ContainerRuntimeError';

  constructor(
    code: ContainerRuntimeErrorCode,
    /** The socket that failed, always named so that an operator knows which daemon to look at. */
    readonly socketPath: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(code, message, options);
  }
}
