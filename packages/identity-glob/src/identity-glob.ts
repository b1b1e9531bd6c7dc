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
  readonly #chunks: readonly Chunk[];
  readonly #hasStar: boolean;

  constructor(readonly pattern: string) {
    const parts = pattern.split('*');
    this.#hasStar = parts.length > 1;
    this.#chunks = parts.map((part) =>
      Array.from(part, (char) => (char === '?' ? undefined : char)),
    );
  }

  /** True when the pattern contains no literal character: it matches everything of some length. */
  get matchesAnything(): boolean {
    return this.#hasStar && this.#chunks.every((chunk) => chunk.length === 0);
  }

  /**
   * Whether the whole of `input` matches. `input` may be given as its code points
   * (`Array.from(text)`), so that matching one input against many patterns splits it once.
   */
  matches(input: string | readonly string[]): boolean {
    const text = typeof input === 'string' ? Array.from(input) : input;
    const chunks = this.#chunks;
    const first = chunks[0] ?? [];
    if (!this.#hasStar) return text.length === first.length && chunkMatchesAt(first, text, 0);
    const last = chunks[chunks.length - 1] ?? [];
    if (text.length < first.length + last.length) return false;
    if (!chunkMatchesAt(first, text, 0)) return false;
    const lastStart = text.length - last.length;
    if (!chunkMatchesAt(last, text, lastStart)) return false;
    let position = first.length;
    for (let index = 1; index < chunks.length - 1; index++) {
      const chunk = chunks[index] ?? [];
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
