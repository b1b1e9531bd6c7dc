/** A run of pattern characters between two `*`; `undefined` entries stand for `?`. */
type Chunk = readonly (string | undefined)[];

/**
 * An anchored glob over signer identities: `*` matches any sequence (including none), `?`
 * exactly one character (code point), everything else is literal. There are no character
 * classes, alternations or escapes, so `[`, `{`, `\` and regex metacharacters match themselves.
 *
 * Matching does not backtrack: the pattern is split on `*` into chunks, the first chunk is
 * anchored at the start, the last at the end, and every middle chunk is matched at its
 * leftmost position after the previous one (leftmost is always safe: a later position can
 * only leave less room for what follows). Time is O(input x pattern) in the worst case and
 * linear in the input for a fixed pattern, whatever the pattern (no `*a*a*a*b` blow-up).
 */
export class IdentityGlob {
  /** The chunk before the first `*` (the whole pattern when there is none). */
  readonly #first: Chunk;
  /** The chunks between two `*`. */
  readonly #middle: readonly Chunk[];
  /** The chunk after the last `*`; undefined when the pattern has no `*`. */
  readonly #last: Chunk | undefined;

  constructor(readonly pattern: string) {
    const first: (string | undefined)[] = [];
    const rest: (string | undefined)[][] = [];
    let current = first;
    // By code point, as the input is matched.
    for (const char of pattern) {
      if (char === '*') {
        current = [];
        rest.push(current);
      } else {
        current.push(char === '?' ? undefined : char);
      }
    }
    this.#first = first;
    this.#last = rest.pop();
    this.#middle = rest;
  }

  /** True when the pattern contains no literal character: it matches everything of some length. */
  get matchesAnything(): boolean {
    return (
      this.#last !== undefined &&
      [this.#first, ...this.#middle, this.#last].every((chunk) => chunk.length === 0)
    );
  }

  /**
   * Whether the whole of `input` matches. `input` may be given as its code points
   * (`Array.from(text)`), so that matching one input against many patterns splits it once.
   */
  matches(input: string | readonly string[]): boolean {
    const text = typeof input === 'string' ? Array.from(input) : input;
    const first = this.#first;
    const last = this.#last;
    if (last === undefined) return text.length === first.length && chunkMatchesAt(first, text, 0);
    if (text.length < first.length + last.length) return false;
    if (!chunkMatchesAt(first, text, 0)) return false;
    const lastStart = text.length - last.length;
    if (!chunkMatchesAt(last, text, lastStart)) return false;
    let position = first.length;
    for (const chunk of this.#middle) {
      const found = findChunk(chunk, text, position, lastStart);
      if (found < 0) return false;
      position = found + chunk.length;
    }
    return true;
  }
}

function chunkMatchesAt(chunk: Chunk, text: readonly string[], start: number): boolean {
  for (let offset = 0; offset < chunk.length; offset++) {
    const expected = chunk[offset];
    if (expected !== undefined && text[start + offset] !== expected) return false;
  }
  return true;
}

/** Leftmost start >= `from` at which `chunk` fits entirely before `end`, or -1. */
function findChunk(chunk: Chunk, text: readonly string[], from: number, end: number): number {
  for (let start = from; start + chunk.length <= end; start++) {
    if (chunkMatchesAt(chunk, text, start)) return start;
  }
  return -1;
}

/** Convenience for one-off matches; compile an IdentityGlob to match many inputs. */
export function globMatches(pattern: string, input: string): boolean {
  return new IdentityGlob(pattern).matches(input);
}
