import { RuntimeResolverError } from './errors.js';

const UNIX_SCHEME = 'unix://';
const MAX_UINT32 = 4_294_967_295;

/**
 * The absolute socket path of a `unix:///path` URL. Anything else (tcp://, http://, a bare
 * path, a relative path, a query or fragment) is refused: the attestor only talks to local
 * runtime sockets, whose owner the operator controls.
 */
export function socketPathFromUrl(url: string): string {
  if (!url.startsWith(UNIX_SCHEME)) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `must be a unix:// URL, got ${JSON.stringify(url)}`,
    );
  }
  const path = url.slice(UNIX_SCHEME.length);
  if (!path.startsWith('/')) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `must be a unix:// URL with an absolute path (unix:///run/...), got ${JSON.stringify(url)}`,
    );
  }
  if (/[?#\0]/.test(path)) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `must not contain '?', '#' or NUL characters, got ${JSON.stringify(url)}`,
    );
  }
  if (path.split('/').some((segment) => segment === '..')) {
    throw new RuntimeResolverError(
      'invalid_socket_url',
      `must not contain '..' segments, got ${JSON.stringify(url)}`,
    );
  }
  return path;
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
      `must contain exactly one %d placeholder, found ${String(placeholders)} in ${JSON.stringify(template)}`,
    );
  }
  const other = directives.find((directive) => directive !== '%d');
  if (other !== undefined || trailingPercent) {
    throw new RuntimeResolverError(
      'invalid_socket_template',
      `must contain no % directive other than %d, found ${JSON.stringify(other ?? '%')} in ${JSON.stringify(template)}`,
    );
  }
  socketPathFromUrl(template.replace('%d', '0'));
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
