import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { IdentityGlob } from './identity-glob.js';

/** The meaning of the glob, written the slow, obvious way: a regular expression. */
function reference(pattern: string, input: string): boolean {
  let source = '^';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`${source}$`, 'su').test(input);
}

describe('IdentityGlob against generated input', () => {
  it('matches exactly what the obvious regular expression matches', () => {
    // A small alphabet, so that matches are common; astral characters test code points.
    const alphabet = fc.constantFrom('a', 'b', '.', '/', '\n', '[', '\u{1F600}');
    const text = fc.array(alphabet, { maxLength: 12 }).map((chars) => chars.join(''));
    const pattern = fc
      .array(fc.oneof(alphabet, fc.constantFrom('*', '?')), { maxLength: 8 })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(pattern, text, (p, input) => {
        expect(new IdentityGlob(p).matches(input)).toBe(reference(p, input));
      }),
      { numRuns: 5000 },
    );
  });
});
