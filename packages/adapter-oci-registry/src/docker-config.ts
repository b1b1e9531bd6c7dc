import { FileReadError, readBoundedText } from '@attestor/adapter-io';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
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
    throw new Error(`${path}: not valid JSON`);
  }
  const auths =
    typeof parsed === 'object' && parsed !== null && 'auths' in parsed ? parsed.auths : undefined;
  const credentials = new Map<string, RegistryCredentials>();
  if (typeof auths !== 'object' || auths === null) return credentials;
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const record = entry as Record<string, unknown>;
    let username: string | undefined;
    let password: string | undefined;
    if (typeof record['auth'] === 'string' && record['auth'] !== '') {
      const decoded = Buffer.from(record['auth'], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0)
        throw new Error(
          `${path}: auths[${JSON.stringify(key)}].auth is not base64 of user:password`,
        );
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    } else if (typeof record['username'] === 'string' && typeof record['password'] === 'string') {
      username = record['username'];
      password = record['password'];
    }
    if (username !== undefined && password !== undefined)
      credentials.set(registryHost(key), { username, password });
  }
  return credentials;
}
