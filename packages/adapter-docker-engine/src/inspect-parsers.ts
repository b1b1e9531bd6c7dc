import { JsonShape } from '@attestor/adapter-io';
import { type ContainerDetails, ContainerRuntimeError, type ImageDetails } from '@attestor/ports';

/**
 * The newest API version whose answers this adapter has been checked against: Docker Engine 29
 * (API 1.52). Newer daemons are asked in this version, which they accept as long as their
 * minimum is not above it; older daemons are asked in their own.
 */
const CLIENT_MAX_API_VERSION = '1.52';
/** The oldest API version whose inspect output has every field attestation reads. */
const CLIENT_MIN_API_VERSION = '1.24';

function versionParts(version: string): [number, number] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})$/.exec(version);
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : [Number(match[1]), Number(match[2])];
}

function compareVersions(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** Whether the daemon speaks a newer API than ours, so that its minimum must be asked for. */
export function newerThanClient(serverVersion: string): boolean {
  const server = versionParts(serverVersion);
  const max = versionParts(CLIENT_MAX_API_VERSION) ?? [1, 52];
  return server !== undefined && compareVersions(server, max) > 0;
}

/**
 * The API version to use with a daemon that reports `serverVersion` (the `Api-Version` header
 * of /_ping): the lower of the daemon's and ours, refusing daemons older than we can read.
 * `serverMinimum` is the daemon's own minimum (`MinAPIVersion` of /version), asked only of a
 * daemon newer than us: one whose minimum is above our newest is refused by name, rather than
 * answering every call with HTTP 400 "client version is too old".
 */
export function negotiateApiVersion(
  serverVersion: string | undefined,
  socketPath: string,
  serverMinimum?: string,
): string {
  const server = serverVersion === undefined ? undefined : versionParts(serverVersion);
  if (server === undefined) {
    throw new ContainerRuntimeError(
      'protocol',
      socketPath,
      `${socketPath}: /_ping returned no usable Api-Version header (${JSON.stringify(serverVersion ?? null)})`,
    );
  }
  const max = versionParts(CLIENT_MAX_API_VERSION) ?? [1, 52];
  const min = versionParts(CLIENT_MIN_API_VERSION) ?? [1, 24];
  if (compareVersions(server, min) < 0) {
    throw new ContainerRuntimeError(
      'protocol',
      socketPath,
      `${socketPath}: the daemon speaks API ${serverVersion ?? ''}, older than the ${CLIENT_MIN_API_VERSION} attestor needs`,
    );
  }
  if (compareVersions(server, max) < 0) return `${String(server[0])}.${String(server[1])}`;
  const minimum = serverMinimum === undefined ? undefined : versionParts(serverMinimum);
  if (serverMinimum !== undefined && minimum === undefined) {
    throw new ContainerRuntimeError(
      'protocol',
      socketPath,
      `${socketPath}: /version returned no usable MinAPIVersion (${JSON.stringify(serverMinimum)})`,
    );
  }
  if (minimum !== undefined && compareVersions(minimum, max) > 0) {
    throw new ContainerRuntimeError(
      'protocol',
      socketPath,
      `${socketPath}: the daemon accepts API ${serverMinimum ?? ''} and newer; attestor reads at most ${CLIENT_MAX_API_VERSION}`,
    );
  }
  return CLIENT_MAX_API_VERSION;
}

/** `MinAPIVersion` of a /version answer, for negotiation with a daemon newer than us. */
export function parseMinimumApiVersion(body: unknown, socketPath: string): string {
  const shape = shapeOf('version', socketPath);
  return shape.string(shape.record(body, 'the response')['MinAPIVersion'], 'MinAPIVersion');
}

/** The checks of one inspect answer: errors are protocol errors naming the socket and field. */
function shapeOf(what: string, socketPath: string): JsonShape {
  return new JsonShape(
    (field, expected) =>
      new ContainerRuntimeError(
        'protocol',
        socketPath,
        `${what} from ${socketPath}: ${field} is not ${expected}`,
      ),
  );
}

const CONTAINER_ID = /^[0-9a-f]{64}$/;
const IMAGE_ID = /^(?:sha256:)?([0-9a-f]{64})$/;

/**
 * The attestation facts of a container inspect (`GET /containers/{id}/json`). A response about
 * another container than the one asked for is a protocol error, never an answer.
 */
export function parseContainerInspect(
  body: unknown,
  requestedId: string,
  socketPath: string,
): ContainerDetails {
  const shape = shapeOf('container inspect', socketPath);
  const root = shape.record(body, 'the response');
  const id = shape.string(root['Id'], 'Id');
  if (!CONTAINER_ID.test(id) || id !== requestedId) {
    throw new ContainerRuntimeError(
      'protocol',
      socketPath,
      `container inspect from ${socketPath}: asked for ${requestedId}, got an answer about ${JSON.stringify(id.slice(0, 80))}`,
    );
  }
  const config = shape.record(root['Config'], 'Config');
  const state = shape.record(root['State'], 'State');
  const pid = shape.integer(state['Pid'], 'State.Pid', 'a process ID', 0, 4_194_304);
  const running = shape.boolean(state['Running'], 'State.Running');
  const imageId = shape.string(root['Image'], 'Image');
  // A content address, as both runtimes write it (Podman without the `sha256:`): anything else
  // (`busybox:latest`, upper case, `sha512:`) is a malformed answer like any other.
  if (!IMAGE_ID.test(imageId)) throw shape.error('Image', 'a sha256 image ID');
  return {
    id,
    imageReference: shape.string(config['Image'], 'Config.Image'),
    imageId,
    labels: shape.stringMap(config['Labels'], 'Config.Labels'),
    env: shape.stringList(config['Env'], 'Config.Env'),
    initPid: pid,
    running,
  };
}

/** Media types of what a multi-platform image store names an image by: an index or a manifest. */
const TARGET_MEDIA_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);

/**
 * The attestation facts of an image inspect (`GET /images/{id}/json`).
 *
 * Docker's classic store, and Podman, identify an image by its config digest. Docker's
 * containerd image store (the default of fresh Docker 29 installs) identifies it by the digest
 * of its target, the index or manifest it was pulled as, and says so with a `Descriptor`
 * (API 1.48 and later): then `Id` is that target's digest and no config digest is known.
 */
export function parseImageInspect(body: unknown, socketPath: string): ImageDetails {
  const shape = shapeOf('image inspect', socketPath);
  const root = shape.record(body, 'the response');
  const id = shape.string(root['Id'], 'Id');
  const match = IMAGE_ID.exec(id);
  if (match?.[1] === undefined) throw shape.error('Id', 'a sha256 image ID');
  const digest = `sha256:${match[1]}`;
  const repoDigests = shape.stringList(root['RepoDigests'], 'RepoDigests');
  if (root['Descriptor'] === undefined || root['Descriptor'] === null)
    return { configDigest: digest, repoDigests };
  const descriptor = shape.record(root['Descriptor'], 'Descriptor');
  const mediaType = shape.string(descriptor['mediaType'], 'Descriptor.mediaType');
  if (!TARGET_MEDIA_TYPES.has(mediaType))
    throw shape.error('Descriptor.mediaType', 'the media type of an image index or manifest');
  // The image is named by its target: anything else is an answer about some other image.
  if (shape.string(descriptor['digest'], 'Descriptor.digest') !== digest)
    throw shape.error('Descriptor.digest', `the image's own digest ${digest}`);
  return { targetDigest: digest, repoDigests };
}

/** The IDs of a container list (`GET /containers/json`), at most `maxEntries` of them. */
export function parseContainerList(
  body: unknown,
  socketPath: string,
  maxEntries: number,
): string[] {
  const shape = shapeOf('container list', socketPath);
  const entries = shape.list(body, 'the response');
  if (entries.length > maxEntries) {
    throw new ContainerRuntimeError(
      'response_too_large',
      socketPath,
      `container list from ${socketPath}: ${String(entries.length)} containers, more than the ${String(maxEntries)} discovery examines`,
    );
  }
  return entries.map((entry, index) => {
    const id = shape.string(
      shape.record(entry, `entry ${String(index)}`)['Id'],
      `entry ${String(index)}.Id`,
    );
    if (!CONTAINER_ID.test(id))
      throw shape.error(`entry ${String(index)}.Id`, 'a 64-hex container ID');
    return id;
  });
}

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found by one scan that
 * skips strings. Linear, and it allocates nothing.
 */
export function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
  return false;
}
