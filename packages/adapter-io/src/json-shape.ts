/**
 * Checks of untrusted JSON (a runtime's inspect answer, a transparency log's entries), one
 * field at a time. A field that is not what it must be is an error naming the field and what
 * it must be, never the value: an inspect answer carries the container's environment, whose
 * values are secrets. Each adapter makes the error of its own port (`fail`).
 */
export class JsonShape {
  constructor(private readonly fail: (field: string, expected: string) => Error) {}

  /** The error for `field`, which is not `expected`; for checks of the adapter's own. */
  error(field: string, expected: string): Error {
    return this.fail(field, expected);
  }

  record(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw this.fail(field, 'an object');
    return value as Record<string, unknown>;
  }

  list(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) throw this.fail(field, 'a list');
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') throw this.fail(field, 'a string');
    return value;
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') throw this.fail(field, 'a boolean');
    return value;
  }

  /** A whole number from `min` to `max` (by default any safe integer from 0). */
  integer(
    value: unknown,
    field: string,
    expected = 'a whole number',
    min = 0,
    max = Number.MAX_SAFE_INTEGER,
  ): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
      throw this.fail(field, expected);
    return value;
  }

  /**
   * A map of strings; null or absent reads as empty, as the Engine API writes it. The keys
   * come from outside, so the map has no prototype: `__proto__` is a key like any other.
   */
  stringMap(value: unknown, field: string): Record<string, string> {
    const result = Object.create(null) as Record<string, string>;
    if (value === null || value === undefined) return result;
    for (const [key, entry] of Object.entries(this.record(value, field))) {
      if (typeof entry !== 'string') throw this.fail(`${field} entry`, 'a string');
      result[key] = entry;
    }
    return result;
  }

  /**
   * The string-valued entries of an object, in a map without a prototype; anything else
   * (not an object, entries that are not strings) is left out. For optional metadata such as
   * OCI annotations, where one odd entry must not cost the others.
   */
  stringEntries(value: unknown): Record<string, string> {
    const result = Object.create(null) as Record<string, string>;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return result;
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry === 'string') result[key] = entry;
    }
    return result;
  }

  /** A list of strings; null or absent reads as empty. */
  stringList(value: unknown, field: string): string[] {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
      throw this.fail(field, 'a list of strings');
    return value;
  }
}
