/** Attribute value types of the specification. */
export type AttributeType = 'string' | 'uint64';

export const DOCKER_CONTAINER_IMAGE = 'docker.container.image';
export const DOCKER_CONTAINER_IMAGE_CONFIG_DIGEST = 'docker.container.image_config_digest';
export const DOCKER_CONTAINER_LABEL_PREFIX = 'docker.container.label';
export const DOCKER_CONTAINER_ENV_PREFIX = 'docker.container.env.';
/** Addition to the specification: which runtime vouched (`docker`, `podman`, `podman-rootless`). */
export const DOCKER_RUNTIME = 'docker.runtime';
/** Addition to the specification: the uid that owns the rootless Podman socket that vouched. */
export const DOCKER_RUNTIME_OWNER_UID = 'docker.runtime.owner_uid';
export const SIGNATURE_SUBJECT = 'docker.image.signature.subject';
export const SIGNATURE_ISSUER = 'docker.image.signature.issuer';
export const SIGNATURE_VALUE = 'docker.image.signature.value';
export const SIGNATURE_LOG_ID = 'docker.image.signature.log_id';
export const SIGNATURE_LOG_INDEX = 'docker.image.signature.log_index';
export const SIGNATURE_INTEGRATED_TIME = 'docker.image.signature.integrated_time';
export const SIGNATURE_SIGNED_ENTRY_TIMESTAMP = 'docker.image.signature.signed_entry_timestamp';

/** The fixed attribute names and their types. Labels and env vars are families (see below). */
export const ATTRIBUTE_CATALOG: ReadonlyMap<string, AttributeType> = new Map<string, AttributeType>(
  [
    [DOCKER_CONTAINER_IMAGE, 'string'],
    [DOCKER_CONTAINER_IMAGE_CONFIG_DIGEST, 'string'],
    [DOCKER_RUNTIME, 'string'],
    [DOCKER_RUNTIME_OWNER_UID, 'uint64'],
    [SIGNATURE_SUBJECT, 'string'],
    [SIGNATURE_ISSUER, 'string'],
    [SIGNATURE_VALUE, 'string'],
    [SIGNATURE_LOG_ID, 'string'],
    [SIGNATURE_LOG_INDEX, 'uint64'],
    [SIGNATURE_INTEGRATED_TIME, 'uint64'],
    [SIGNATURE_SIGNED_ENTRY_TIMESTAMP, 'string'],
  ],
);

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NEEDS_ESCAPE = /[\\"\u0000-\u001f\u007f]/;

/**
 * Escapes a label key for the quoted part of `docker.container.label["<key>"]`: a backslash
 * becomes `\\`, a double quote `\"`, and control characters `\u00XX`. Everything else is kept,
 * so ordinary keys (`com.example.app`, `org.opencontainers.image/source`) read as they are.
 */
export function escapeLabelKey(key: string): string {
  if (!NEEDS_ESCAPE.test(key)) return key;
  let escaped = '';
  for (const char of key) {
    const code = char.charCodeAt(0);
    if (char === '\\') escaped += '\\\\';
    else if (char === '"') escaped += '\\"';
    else if (code < 0x20 || code === 0x7f) escaped += `\\u${code.toString(16).padStart(4, '0')}`;
    else escaped += char;
  }
  return escaped;
}

/** `docker.container.label["<escaped key>"]`: one attribute per container label. */
export function labelAttributeName(key: string): string {
  return `${DOCKER_CONTAINER_LABEL_PREFIX}["${escapeLabelKey(key)}"]`;
}

/** `docker.container.env.<key>`: one attribute per allowed environment variable. */
export function envAttributeName(key: string): string {
  return `${DOCKER_CONTAINER_ENV_PREFIX}${key}`;
}

/** True for a fixed attribute name or a member of the label or env families. */
export function isKnownAttributeName(name: string): boolean {
  if (ATTRIBUTE_CATALOG.has(name)) return true;
  if (name.startsWith(`${DOCKER_CONTAINER_LABEL_PREFIX}["`) && name.endsWith('"]')) return true;
  return (
    name.startsWith(DOCKER_CONTAINER_ENV_PREFIX) && name.length > DOCKER_CONTAINER_ENV_PREFIX.length
  );
}
