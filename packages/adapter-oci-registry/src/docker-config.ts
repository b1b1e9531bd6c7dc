import { FileReadError, JsonShape, readBoundedText } from '@attestor/adapter-io';
import { CodedError } from '@attestor/ports';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export type DockerConfigErrorCode = 'not_json' | 'malformed';

/** A Docker config file that cannot be used. The message names the file and field, never a value. */
export class DockerConfigError extends CodedError<DockerConfigErrorCode> {
  static override readonly brand = '@attestor/adapter-oci-registry/DockerConfigError';
  override readonly name = 'DockerConfigError';
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** `https://index.docker.io/v1/` -> `index.docker.io`; `registry:5000` stays. */
function registryHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

/**
 * Reads registry credentials from a Docker or Podman `config.json` (`auths.<host>.auth`, the
 * base64 of `user:password`, or `username` and `password`). Credential helpers and stores
 * (`credHelpers`, `credsStore`) run external programs and are not supported; their registries
 * get no credentials. A missing file means no credentials. Errors name the file, never a value.
 */
export async function readDockerConfigCredentials(
  path: string,
): Promise<ReadonlyMap<string, RegistryCredentials>> {
  let text: string;
  try {
    text = await readBoundedText(path, MAX_CONFIG_BYTES);
  } catch (error) {
    if (FileReadError.is(error) && error.code === 'not_found') return new Map();
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DockerConfigError('not_json', `${path}: not valid JSON`);
  }
  const shape = new JsonShape(
    (field, expected) => new DockerConfigError('malformed', `${path}: ${field} is not ${expected}`),
  );
  const auths = shape.record(parsed, 'the file')['auths'];
  const credentials = new Map<string, RegistryCredentials>();
  if (auths === undefined || auths === null) return credentials;
  for (const [key, entry] of Object.entries(shape.record(auths, 'auths'))) {
    const field = `auths[${JSON.stringify(key)}]`;
    const record = shape.record(entry, field);
    let username: string | undefined;
    let password: string | undefined;
    if (record['auth'] !== undefined && record['auth'] !== '') {
      const decoded = Buffer.from(shape.string(record['auth'], `${field}.auth`), 'base64').toString(
        'utf8',
      );
      const colon = decoded.indexOf(':');
      if (colon <= 0) throw shape.error(`${field}.auth`, 'base64 of user:password');
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    } else if (record['username'] !== undefined || record['password'] !== undefined) {
      username = shape.string(record['username'], `${field}.username`);
      password = shape.string(record['password'], `${field}.password`);
    }
    if (username !== undefined && password !== undefined)
      credentials.set(registryHost(key), { username, password });
  }
  return credentials;
}
