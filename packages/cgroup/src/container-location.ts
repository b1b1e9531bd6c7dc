import { quote, scanCgroupLines } from './cgroup-line.js';
import { CgroupError } from './errors.js';

/** Which runtime the cgroup path suggests. A hint only: the runtime API has the last word. */
export type RuntimeHint = 'docker' | 'podman' | 'unknown';

export type ContainerLocation =
  | {
      readonly kind: 'container';
      /** The 64-hex container ID. */
      readonly containerId: string;
      readonly runtime: RuntimeHint;
      /** Owner uid of a rootless Podman container, from a `user-<uid>.slice` segment. */
      readonly rootlessUid?: number;
    }
  | {
      /** A host process, or a runtime monitor (conmon) that runs beside a container. */
      readonly kind: 'not_in_container';
    };

const HEX_ID = '[0-9a-f]{64}';
/** `<id>`, or the bare systemd scope `<id>.scope`. */
const BARE_ID = new RegExp(`^(${HEX_ID})(\\.scope)?$`);
/** `docker-<id>.scope`, `libpod-<id>.scope`, `libpod-<id>`, `crio-<id>.scope`, `cri-containerd-<id>.scope`. */
const PREFIXED_ID = new RegExp(`^(docker|libpod|crio|cri-containerd)-(${HEX_ID})(?:\\.scope)?$`);
/** systemd-driver kubelet notation: `<pod slice>:<runtime prefix>:<id>`. */
const SLICE_PREFIX_ID = new RegExp(`^[^:]*:(docker|crio|cri-containerd):(${HEX_ID})$`);
/** Podman's and CRI-O's monitor process. It runs on the host, outside the container. */
const MONITOR = new RegExp(`^(libpod|crio)-conmon-${HEX_ID}(?:\\.scope)?$`);
const USER_SLICE = /^user-(0|[1-9]\d{0,9})\.slice$/;
const MAX_UINT32 = 4_294_967_295;

interface LineMatch {
  readonly containerId: string;
  readonly runtime: RuntimeHint;
  readonly rootlessUid?: number;
}

function runtimeFromPrefix(prefix: string): RuntimeHint {
  if (prefix === 'docker') return 'docker';
  if (prefix === 'libpod') return 'podman';
  return 'unknown';
}

function runtimeFromParent(parent: string | undefined): RuntimeHint {
  if (parent === 'docker') return 'docker';
  if (parent === 'libpod' || parent === 'libpod_parent') return 'podman';
  return 'unknown';
}

function rootlessUidOf(segments: readonly string[]): number | undefined {
  for (const segment of segments) {
    const match = USER_SLICE.exec(segment);
    if (match?.[1] === undefined) continue;
    const uid = Number(match[1]);
    if (uid <= MAX_UINT32) return uid;
  }
  return undefined;
}

/** Every pattern above holds a 64-hex ID, so shorter segments cannot match any of them. */
const MIN_MATCHING_SEGMENT = 64;

/** Finds the container of one cgroup path, scanning its segments from the right. */
function matchPath(path: string): LineMatch | undefined {
  const segments = path.split('/');
  for (let index = segments.length - 1; index >= 0; index--) {
    const segment = segments[index] ?? '';
    if (segment.length < MIN_MATCHING_SEGMENT) continue;
    if (MONITOR.test(segment)) return undefined;
    let containerId: string | undefined;
    let runtime: RuntimeHint = 'unknown';
    const prefixed = PREFIXED_ID.exec(segment) ?? SLICE_PREFIX_ID.exec(segment);
    if (prefixed?.[1] !== undefined && prefixed[2] !== undefined) {
      containerId = prefixed[2];
      runtime = runtimeFromPrefix(prefixed[1]);
    } else {
      const bare = BARE_ID.exec(segment);
      if (bare?.[1] !== undefined) {
        containerId = bare[1];
        // A bare scope names no runtime, whatever its parent is called.
        runtime = bare[2] === undefined ? runtimeFromParent(segments[index - 1]) : 'unknown';
      }
    }
    if (containerId === undefined) continue;
    const rootlessUid = runtime === 'podman' ? rootlessUidOf(segments.slice(0, index)) : undefined;
    return rootlessUid === undefined
      ? { containerId, runtime }
      : { containerId, runtime, rootlessUid };
  }
  return undefined;
}

/**
 * Locates the container of a process from the text of its /proc/<pid>/cgroup.
 *
 * Only /proc/<pid>/cgroup is trusted for this (mountinfo can be forged from inside a mount
 * namespace). Every line must agree: the same ID on several lines is normal (cgroup v1
 * controllers, hybrid layouts), two different IDs is an error naming both.
 */
export function containerIdFromCgroup(text: string): ContainerLocation {
  // What the lines say so far (a record, not closure-assigned variables, so that the type
  // checker sees the writes made in the callback).
  const seen: {
    first?: { readonly match: LineMatch; readonly path: string };
    runtime?: RuntimeHint;
    runtimesAgree: boolean;
    rootlessUid?: number | undefined;
    previousPath?: string;
    previousMatch?: LineMatch | undefined;
  } = { runtimesAgree: true };
  scanCgroupLines(text, (_hierarchyId, _controllers, path) => {
    // cgroup v1 repeats one path for every controller: match a path once, not once per line.
    const match = path === seen.previousPath ? seen.previousMatch : matchPath(path);
    seen.previousPath = path;
    seen.previousMatch = match;
    if (match === undefined) return;
    seen.first ??= { match, path };
    if (match.containerId !== seen.first.match.containerId) {
      throw new CgroupError(
        'conflicting_container_ids',
        `cgroup lines name two different containers: ${seen.first.match.containerId} in ${quote(seen.first.path)} and ${match.containerId} in ${quote(path)}`,
      );
    }
    if (match.runtime !== 'unknown') {
      if (seen.runtime === undefined) seen.runtime = match.runtime;
      else if (seen.runtime !== match.runtime) seen.runtimesAgree = false;
    }
    seen.rootlessUid ??= match.rootlessUid;
  });
  if (seen.first === undefined) return { kind: 'not_in_container' };
  const containerId = seen.first.match.containerId;
  const runtime: RuntimeHint = seen.runtimesAgree ? (seen.runtime ?? 'unknown') : 'unknown';
  return runtime === 'podman' && seen.rootlessUid !== undefined
    ? { kind: 'container', containerId, runtime, rootlessUid: seen.rootlessUid }
    : { kind: 'container', containerId, runtime };
}
