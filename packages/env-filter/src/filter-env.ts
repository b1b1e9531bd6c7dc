/** One environment variable that an includeEnvVars prefix allows. */
export interface AllowedEnvVar {
  readonly name: string;
  readonly value: string;
}

/**
 * Keeps the `KEY=VALUE` entries whose name starts with one of `prefixes` (case-sensitive).
 *
 * Container environments carry secrets, so this is an allow-list: no prefix, no variable.
 * - The value is everything after the first `=`, so values may contain `=`.
 * - An entry without `=`, or with an empty name, is dropped: it has no value the runtime
 *   vouches for, and inventing an empty one would be a false claim.
 * - When a name appears twice, the later entry wins, as it does in the container's process.
 * - An empty prefix would allow every variable; it is refused (the configuration loader
 *   rejects it first, with the field's path).
 * The result keeps the order of first appearance.
 */
export function filterEnv(
  entries: readonly string[],
  prefixes: readonly string[],
): AllowedEnvVar[] {
  if (prefixes.some((prefix) => prefix === '')) {
    throw new RangeError('an empty includeEnvVars prefix would expose every environment variable');
  }
  if (prefixes.length === 0) return [];
  const allowed = new Map<string, string>();
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    if (separator <= 0) continue;
    const name = entry.slice(0, separator);
    if (prefixes.some((prefix) => name.startsWith(prefix))) {
      allowed.set(name, entry.slice(separator + 1));
    }
  }
  return [...allowed].map(([name, value]) => ({ name, value }));
}
