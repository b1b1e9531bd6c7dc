import { describe, expect, it } from 'vitest';

import { IdentityPolicy } from './identity-policy.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const policy = new IdentityPolicy(
  new Map([
    [
      GITHUB,
      [
        'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
        'https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main',
      ],
    ],
    ['https://idp.corp.example', ['*@corp.example']],
  ]),
);

describe(IdentityPolicy, () => {
  describe('.evaluate', () => {
    it('allows an exact subject and names the patterns that matched', () => {
      expect(
        policy.evaluate({
          issuer: GITHUB,
          subject: 'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
        }),
      ).toStrictEqual({
        allowed: true,
        issuerPattern: GITHUB,
        subjectPattern:
          'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
      });
    });

    it('allows a globbed subject', () => {
      expect(
        policy.evaluate({
          issuer: GITHUB,
          subject: 'https://github.com/myorg/other/.github/workflows/release.yaml@refs/heads/main',
        }),
      ).toMatchObject({
        allowed: true,
        subjectPattern: 'https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main',
      });
    });

    it.each([
      [
        'another org',
        GITHUB,
        'https://github.com/evil/x/.github/workflows/release.yaml@refs/heads/main',
      ],
      [
        'another branch',
        GITHUB,
        'https://github.com/myorg/x/.github/workflows/release.yaml@refs/heads/dev',
      ],
      ['a subject allowed only under another issuer', GITHUB, 'alice@corp.example'],
      [
        'an issuer with a suffix',
        `${GITHUB}.evil`,
        'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
      ],
      ['a subject with a prefix', 'https://idp.corp.example', 'alice@corp.example.evil'],
    ])('refuses %s', (_name, issuer, subject) => {
      expect(policy.evaluate({ issuer, subject })).toStrictEqual({ allowed: false });
    });
  });

  it('matches a 100 kB subject against 10,000 patterns, splitting it once (10 s before)', () => {
    const subject = `https://ci.example/${'a'.repeat(100_000)}`;
    const patterns = Array.from(
      { length: 10_000 },
      (_, index) => `https://ci.example/${String(index)}`,
    );
    patterns.push('https://ci.example/*');
    const policy = new IdentityPolicy(new Map([['https://issuer.example', patterns]]));
    expect(policy.evaluate({ issuer: 'https://issuer.example', subject })).toStrictEqual({
      allowed: true,
      issuerPattern: 'https://issuer.example',
      subjectPattern: 'https://ci.example/*',
    });
  });
});
