import { describe, expect, it } from 'vitest';

import { globMatches, IdentityGlob } from './identity-glob.js';

describe(IdentityGlob, () => {
  describe('.matches', () => {
    describe.each([
      ['*', '', true],
      ['*', 'anything at all', true],
      ['', '', true],
      ['', 'x', false],
      ['abc', 'abc', true],
      ['abc', 'abcd', false],
      ['abc', 'xabc', false],
      ['a*', 'a', true],
      ['a*', 'abc', true],
      ['a*', 'ba', false],
      ['*c', 'abc', true],
      ['*c', 'abcd', false],
      ['a*c', 'ac', true],
      ['a*c', 'abbbc', true],
      ['a*c', 'abbbcd', false],
      ['a?c', 'abc', true],
      ['a?c', 'ac', false],
      ['a?c', 'abbc', false],
      ['??', 'é!', true],
      ['?', '😀', true],
      ['a*b*c', 'aXbYc', true],
      ['a*b*c', 'acb', false],
      ['a*b?d*e', 'a__bxd__e', true],
      ['*aa*aa', 'aaa', false],
      ['*aa*aa', 'aaaa', true],
      ['ab*ba', 'aba', false],
      ['a.b', 'aXb', false],
      ['a.b', 'a.b', true],
      ['[ab]', 'a', false],
      ['[ab]', '[ab]', true],
      ['{a,b}', 'a', false],
      ['{a,b}', '{a,b}', true],
      ['a\\*', 'a\\anything', true],
      ['a\\*', 'a*', false],
      ['^a$', '^a$', true],
      ['a+', 'aa', false],
      ['(a|b)', '(a|b)', true],
      [
        'https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main',
        'https://github.com/myorg/api/.github/workflows/release.yaml@refs/heads/main',
        true,
      ],
      [
        'https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main',
        'https://github.com/evil/x/.github/workflows/release.yaml@refs/heads/main',
        false,
      ],
      ['https://*.github.com*', 'https://anything.github.com.attacker.example', true],
      ['https://*.github.com/*', 'https://anything.github.com.attacker.example/x', false],
    ])('having pattern %j and input %j', (pattern, input, expected) => {
      it(`returns ${String(expected)}`, () => {
        expect(new IdentityGlob(pattern).matches(input)).toBe(expected);
        expect(globMatches(pattern, input)).toBe(expected);
      });
    });

    describe('having a pathological pattern', () => {
      it('agrees with a reference matcher on random inputs', () => {
        const reference = (pattern: string, input: string): boolean => {
          const memo = new Map<string, boolean>();
          const go = (p: number, i: number): boolean => {
            const key = `${String(p)},${String(i)}`;
            const cached = memo.get(key);
            if (cached !== undefined) return cached;
            let result: boolean;
            if (p === pattern.length) result = i === input.length;
            else if (pattern[p] === '*')
              result = go(p + 1, i) || (i < input.length && go(p, i + 1));
            else
              result =
                i < input.length &&
                (pattern[p] === '?' || pattern[p] === input[i]) &&
                go(p + 1, i + 1);
            memo.set(key, result);
            return result;
          };
          return go(0, 0);
        };
        let seed = 42;
        const random = (n: number): number => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed % n;
        };
        const alphabet = ['a', 'b', '*', '?'];
        for (let round = 0; round < 3000; round++) {
          const pattern = Array.from({ length: random(8) }, () => alphabet[random(4)]).join('');
          const input = Array.from({ length: random(10) }, () => alphabet[random(2)]).join('');
          expect(new IdentityGlob(pattern).matches(input), `${pattern} vs ${input}`).toBe(
            reference(pattern, input),
          );
        }
      });

      it('does a bounded number of steps on *a*a*a*a*a*b against a long run of a', () => {
        // A backtracking matcher takes exponential time here. Counting code-point comparisons
        // would need instrumentation; instead the input is large enough that a backtracking
        // matcher would not finish, and a regression shows up as a hung test (vitest timeout).
        const input = 'a'.repeat(200_000);
        expect(new IdentityGlob('*a*a*a*a*a*a*a*a*a*a*b').matches(input)).toBe(false);
        expect(new IdentityGlob('*a*a*a*a*a*a*a*a*a*a*a').matches(input)).toBe(true);
      });
    });
  });

  describe('having the input as its code points', () => {
    it.each([
      ['a?c', 'a😀c', true],
      ['*😀*', 'x😀y', true],
      ['a*b*c', 'abc', true],
      ['a*b*c', 'acb', false],
      ['ab*ba', 'aba', false],
      ['a?', 'a', false],
    ])('matches %j against %j as it does the string: %s', (pattern, input, expected) => {
      const glob = new IdentityGlob(pattern);
      expect(glob.matches(Array.from(input))).toBe(expected);
      expect(glob.matches(input)).toBe(expected);
    });
  });

  describe('.matchesAnything', () => {
    it.each([
      ['*', true],
      ['**', true],
      ['', false],
      ['?', false],
      ['*?*', false],
      ['a*', false],
    ])('having %j returns %s', (pattern, expected) => {
      expect(new IdentityGlob(pattern).matchesAnything).toBe(expected);
    });
  });
});
