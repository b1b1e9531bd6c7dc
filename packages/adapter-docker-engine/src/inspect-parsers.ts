import { type ContainerDetails, ContainerRuntimeError, type ImageDetails } from '@attestor/ports';

/** The newest API version this client speaks; older daemons are asked in their own version. */
const CLIENT_MAX_API_VERSION = '1.41';
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

/**
 * The API version to use with a daemon that reports `serverVersion` (the `Api-Version` header
 * of /_ping): the lower of the daemon's and ours, refusing daemons older than we can read.
 */
export function negotiateApiVersion(serverVersion: string | undefined, socketPath: string): string {
  const server = serverVersion === undefined ? undefined : versionParts(serverVersion);
  if (server === undefined) {
    throw new ContainerRuntimeError(
      'protocol',
      socketPath,
      `${socketPath}: /_ping returned no usable Api-Version header (${JSON.stringify(serverVersion ?? null)})`,
    );
  }
  const max = versionParts(CLIENT_MAX_API_VERSION) ?? [1, 41];
  const min = versionParts(CLIENT_MIN_API_VERSION) ?? [1, 24];
  if (compareVersions(server, min) < 0) {
    throw new ContainerRuntimeError(
      'protocol',
      socketPath,
      `${socketPath}: the daemon speaks API ${serverVersion ?? ''}, older than the ${CLIENT_MIN_API_VERSION} attestor needs`,
    );
  }
  return compareVersions(server, max) < 0
    ? `${String(server[0])}.${String(server[1])}`
    : CLIENT_MAX_API_VERSION;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks one field of an untrusted inspect response. Errors name the field and never echo
 * the value (container inspect output carries environment secrets).
 */
class Shape {
  constructor(
    private readonly what: string,
    private readonly socketPath: string,
  ) {}

  fail(field: string, expected: string): ContainerRuntimeError {
    return new ContainerRuntimeError(
      'protocol',
      this.socketPath,
      `${this.what} from ${this.socketPath}: ${field} is not ${expected}`,
    );
  }

  record(value: unknown, field: string): Record<string, unknown> {
    if (!isRecord(value)) throw this.fail(field, 'an object');
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') throw this.fail(field, 'a string');
    return value;
  }

  /**
   * A map of strings; null or absent reads as empty, as the Engine API writes it. The keys come
   * from whoever labelled the container, so the map has no prototype: `__proto__` is a key.
   */
  stringMap(value: unknown, field: string): Record<string, string> {
    const result = Object.create(null) as Record<string, string>;
    if (value === null || value === undefined) return result;
    const record = this.record(value, field);
    for (const [key, entry] of Object.entries(record)) {
      if (typeof entry !== 'string') throw this.fail(`${field} entry`, 'a string');
      result[key] = entry;
    }
    return result;
  }

  stringList(value: unknown, field: string): string[] {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.fail(field, 'a list of strings');
    }
    return value;
  }
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
  const shape = new Shape('container inspect', socketPath);
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
  const pid = state['Pid'];
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0 || pid > 4_194_304)
    throw shape.fail('State.Pid', 'a process ID');
  const running = state['Running'];
  if (typeof running !== 'boolean') throw shape.fail('State.Running', 'a boolean');
  const imageId = shape.string(root['Image'], 'Image');
  // A content address, as both runtimes write it (Podman without the `sha256:`): anything else
  // (`busybox:latest`, upper case, `sha512:`) is a malformed answer like any other.
  if (!IMAGE_ID.test(imageId)) throw shape.fail('Image', 'a sha256 image ID');
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

/** The attestation facts of an image inspect (`GET /images/{id}/json`). */
export function parseImageInspect(body: unknown, socketPath: string): ImageDetails {
  const shape = new Shape('image inspect', socketPath);
  const root = shape.record(body, 'the response');
  const id = shape.string(root['Id'], 'Id');
  const match = IMAGE_ID.exec(id);
  if (match?.[1] === undefined) throw shape.fail('Id', 'a sha256 image ID');
  return {
    configDigest: `sha256:${match[1]}`,
    repoDigests: shape.stringList(root['RepoDigests'], 'RepoDigests'),
  };
}

/** The IDs of a container list (`GET /containers/json`), at most `maxEntries` of them. */
export function parseContainerList(
  body: unknown,
  socketPath: string,
  maxEntries: number,
): string[] {
  const shape = new Shape('container list', socketPath);
  if (!Array.isArray(body)) throw shape.fail('the response', 'a list');
  if (body.length > maxEntries) {
    throw new ContainerRuntimeError(
      'response_too_large',
      socketPath,
      `container list from ${socketPath}: ${String(body.length)} containers, more than the ${String(maxEntries)} discovery examines`,
    );
  }
  return body.map((entry, index) => {
    const id = shape.string(
      shape.record(entry, `entry ${String(index)}`)['Id'],
      `entry ${String(index)}.Id`,
    );
    if (!CONTAINER_ID.test(id))
      throw shape.fail(`entry ${String(index)}.Id`, 'a 64-hex container ID');
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
