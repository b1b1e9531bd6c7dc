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
  if (prefixes.includes('')) {
    throw new RangeError('an empty includeEnvVars prefix would expose every environment variable');
  }
  const allowed: AllowedEnvVar[] = [];
  if (prefixes.length === 0) return allowed;
  // Where each name is in `allowed`; made on the first allowed entry (most are not).
  let positions: Map<string, number> | undefined;
  for (const entry of entries) {
    // Checked on the whole entry first: most entries match no prefix and cost no slice.
    if (!startsWithAny(entry, prefixes)) continue;
    const separator = entry.indexOf('=');
    if (separator <= 0) continue;
    const name = entry.slice(0, separator);
    // A prefix may reach past the `=` (`A=B` matches the entry `A=BC`, whose name is `A`).
    if (!startsWithAny(name, prefixes)) continue;
    const variable = { name, value: entry.slice(separator + 1) };
    positions ??= new Map();
    const earlier = positions.get(name);
    if (earlier === undefined) {
      positions.set(name, allowed.length);
      allowed.push(variable);
    } else {
      allowed[earlier] = variable;
    }
  }
  return allowed;
}

function startsWithAny(text: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (text.startsWith(prefix)) return true;
  return false;
}
