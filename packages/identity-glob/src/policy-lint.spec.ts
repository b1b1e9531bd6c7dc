import { describe, expect, it } from 'vitest';

import { lintAllowedIdentities } from './policy-lint.js';

const lint = (entries: Record<string, string[]>) =>
  lintAllowedIdentities(new Map(Object.entries(entries)));

describe(lintAllowedIdentities, () => {
  describe('having a tight policy', () => {
    it('returns no warning', () => {
      expect(
        lint({
          'https://token.actions.githubusercontent.com': [
            'https://github.com/myorg/myrepo/.github/workflows/release.yaml@refs/heads/main',
            'https://github.com/myorg/*/.github/workflows/release.yaml@refs/heads/main',
          ],
          'https://accounts.example.com': ['*'],
          'https://*.corp.example.com': ['*@example.com'],
        }),
      ).toStrictEqual([]);
    });
  });

  describe('having * as the subject under a public issuer', () => {
    it.each([
      'https://token.actions.githubusercontent.com',
      'https://gitlab.com',
      'https://accounts.google.com',
    ])('warns for %s', (issuer) => {
      expect(lint({ [issuer]: ['*'] })).toStrictEqual([
        expect.objectContaining({ code: 'any_subject_on_public_issuer', issuer, subject: '*' }),
      ]);
    });

    it('warns when an issuer pattern covers a public issuer', () => {
      expect(lint({ 'https://token.actions.*': ['**'] })).toStrictEqual([
        expect.objectContaining({ code: 'wildcard_after_host', issuer: 'https://token.actions.*' }),
        expect.objectContaining({ code: 'any_subject_on_public_issuer', subject: '**' }),
      ]);
    });
  });

  describe('having * as the issuer', () => {
    it('warns about the issuer and the subject', () => {
      expect(lint({ '*': ['*'] }).map((warning) => warning.code)).toStrictEqual([
        'any_issuer',
        'any_subject_on_public_issuer',
      ]);
    });
  });

  describe('having a wildcard after the host', () => {
    it('warns for the specification example', () => {
      const [warning] = lint({ 'https://*.github.com*': ['x'] });
      expect(warning?.code).toBe('wildcard_after_host');
      expect(warning?.message).toContain('https://*.github.com.attacker.example');
    });

    it.each(['https://github.com/*', 'https://*.github.com/x', 'https://github.com/login/oauth*'])(
      'does not warn for the anchored subject %s',
      (subject) => {
        expect(lint({ 'https://idp.example.com': [subject] })).toStrictEqual([]);
      },
    );

    it.each(['https://github.com*', 'https://github.co?', 'alice@example.*', 'https://*'])(
      'warns for the subject %s',
      (subject) => {
        expect(lint({ 'https://idp.example.com': [subject] })).toStrictEqual([
          expect.objectContaining({ code: 'wildcard_after_host', subject }),
        ]);
      },
    );
  });

  it('lints an issuer with 80,000 wildcards in linear time, and quotes it bounded', () => {
    // A run of * not at the end: /[*?]+$/ retried from each of its positions (6 s).
    const issuer = `https://issuer.example${'*'.repeat(80_000)}x`;
    const warnings = lintAllowedIdentities(new Map([[issuer, ['me']]]));
    expect(warnings.map((warning) => warning.code)).toStrictEqual(['wildcard_after_host']);
    expect(warnings[0]?.message.length).toBeLessThan(700);
    expect(warnings[0]?.message).toContain(`"https://issuer.example${'*'.repeat(178)}...`);
  });
});
