import { RuntimeResolverError } from './errors.js';

const UNIX_SCHEME = 'unix://';

/** A configured value, for an error message: JSON, at most 200 characters of it. */
function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
}
const MAX_UINT32 = 4_294_967_295;
/** What a unix socket address holds (sun_path is 108 bytes, one for the terminating NUL). */
export const MAX_UNIX_SOCKET_PATH_BYTES = 107;

/**
 * The absolute socket path of a `unix:///path` URL. Anything else (tcp://, http://, a bare
 * path, a relative path, a query or fragment) is refused: the attestor only talks to local
 * runtime sockets, whose owner the operator controls.
 */
export function socketPathFromUrl(url: string): string {
  if (!url.startsWith(UNIX_SCHEME)) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `must be a unix:// URL, got ${quote(url)}`,
    );
  }
  const path = url.slice(UNIX_SCHEME.length);
  if (!path.startsWith('/')) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `must be a unix:// URL with an absolute path (unix:///run/...), got ${quote(url)}`,
    );
  }
  if (/[?#\0]/.test(path)) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `must not contain '?', '#' or NUL characters, got ${quote(url)}`,
    );
  }
  if (path.split('/').some((segment) => segment === '..')) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `must not contain '..' segments, got ${quote(url)}`,
    );
  }
  checkSocketPathLength(path);
  return path;
}

/** A unix socket path longer than its address can hold could never be connected to. */
export function checkSocketPathLength(path: string): void {
  const bytes = new TextEncoder().encode(path).length;
  if (bytes > MAX_UNIX_SOCKET_PATH_BYTES) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `the socket path is ${String(bytes)} bytes, longer than the ${String(MAX_UNIX_SOCKET_PATH_BYTES)} a unix socket address holds: ${JSON.stringify(`${path.slice(0, 60)}...`)}`,
    );
  }
}

/**
 * Checks that a rootless Podman socket template has exactly one `%d` and no other `%`
 * directive (not even `%%`), and that the rest is a valid unix:// URL.
 */
export function validatePodmanSocketTemplate(template: string): void {
  const directives = template.match(/%./g) ?? [];
  const trailingPercent = template.endsWith('%') && !template.endsWith('%d');
  const placeholders = directives.filter((directive) => directive === '%d').length;
  if (placeholders !== 1) {
    throw new RuntimeResolverError(
      'invalid_socket_template',
      `must contain exactly one %d placeholder, found ${String(placeholders)} in ${quote(template)}`,
    );
  }
  const other = directives.find((directive) => directive !== '%d');
  if (other !== undefined || trailingPercent) {
    throw new RuntimeResolverError(
      'invalid_socket_template',
      `must contain no % directive other than %d, found ${quote(other ?? '%')} in ${quote(template)}`,
    );
  }
  // With the longest uid, so that no user's socket path can be too long.
  socketPathFromUrl(template.replace('%d', String(MAX_UINT32)));
}

/** The socket path of the rootless Podman service of `uid`. */
export function expandPodmanSocketTemplate(template: string, uid: number): string {
  if (!Number.isInteger(uid) || uid < 0 || uid > MAX_UINT32) {
    throw new RuntimeResolverError(
      'invalid_uid',
      `uid must be an integer from 0 to ${String(MAX_UINT32)}, got ${String(uid)}`,
    );
  }
  validatePodmanSocketTemplate(template);
  return socketPathFromUrl(template.replace('%d', String(uid)));
}
