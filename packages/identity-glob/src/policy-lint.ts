import { IdentityGlob } from './identity-glob.js';

/**
 * OIDC issuers whose tokens anyone can obtain: an account, a repository or a CI job on these
 * is free. Accepting any subject from them accepts anyone.
 */
export const WELL_KNOWN_PUBLIC_ISSUERS: readonly string[] = [
  'https://token.actions.githubusercontent.com',
  'https://github.com/login/oauth',
  'https://gitlab.com',
  'https://accounts.google.com',
  'https://oauth2.sigstore.dev/auth',
  'https://agent.buildkite.com',
  'https://token.buildkite.com',
  'https://app.terraform.io',
  'https://bitbucket.org',
  'https://login.microsoftonline.com',
];

export type PolicyWarningCode =
  'any_subject_on_public_issuer' | 'any_issuer' | 'wildcard_after_host';

export interface PolicyWarning {
  readonly code: PolicyWarningCode;
  /** The issuer pattern the warning is about. */
  readonly issuer: string;
  /** The subject pattern, when the warning is about one. */
  readonly subject?: string;
  readonly message: string;
}

/**
 * The host of a URL-like pattern (`scheme://host/...`) or the domain of an email-like pattern
 * (`name@domain`), or undefined for anything else.
 */
function hostPart(pattern: string): string | undefined {
  const scheme = pattern.indexOf('://');
  if (scheme >= 0) {
    const rest = pattern.slice(scheme + 3);
    const slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.slice(0, slash);
  }
  const at = pattern.lastIndexOf('@');
  if (at >= 0 && !pattern.slice(at).includes('/')) return pattern.slice(at + 1);
  return undefined;
}

/**
 * True when a wildcard can extend the host past its last label: `https://*.github.com*`
 * matches `https://x.github.com.attacker.example`. A wildcard in leading labels
 * (`https://*.github.com/...`) is fine.
 */
function hasWildcardAfterHost(pattern: string): boolean {
  const host = hostPart(pattern);
  if (host === undefined) return false;
  const lastDot = host.lastIndexOf('.');
  const lastLabel = lastDot < 0 ? host : host.slice(lastDot + 1);
  return /[*?]/.test(lastLabel);
}

/**
 * Warnings about an allowedIdentities policy that is probably broader than meant. They do not
 * make the policy invalid; the configuration loader reports them and the CLI prints them.
 */
export function lintAllowedIdentities(
  allowedIdentities: ReadonlyMap<string, readonly string[]>,
): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  for (const [issuer, subjects] of allowedIdentities) {
    const issuerGlob = new IdentityGlob(issuer);
    if (issuerGlob.matchesAnything) {
      warnings.push({
        code: 'any_issuer',
        issuer,
        message: `issuer pattern ${quoteBounded(issuer)} accepts every OIDC issuer, public ones included`,
      });
    } else if (hasWildcardAfterHost(issuer)) {
      warnings.push({
        code: 'wildcard_after_host',
        issuer,
        message: `issuer pattern ${quoteBounded(issuer)} has a wildcard after the host, so it also matches other domains (e.g. ${quoteBounded(`${withoutTrailingWildcards(issuer)}.attacker.example`)}); anchor it with a '/' or drop the trailing wildcard`,
      });
    }
    const publicIssuers = WELL_KNOWN_PUBLIC_ISSUERS.filter((known) => issuerGlob.matches(known));
    for (const subject of subjects) {
      const subjectGlob = new IdentityGlob(subject);
      if (subjectGlob.matchesAnything && publicIssuers.length > 0) {
        warnings.push({
          code: 'any_subject_on_public_issuer',
          issuer,
          subject,
          message: `subject pattern ${quoteBounded(subject)} under ${publicIssuers.join(', ')} accepts an image signed by anyone with an account there; name the workflows or identities you trust`,
        });
      } else if (hasWildcardAfterHost(subject)) {
        warnings.push({
          code: 'wildcard_after_host',
          issuer,
          subject,
          message: `subject pattern ${quoteBounded(subject)} has a wildcard after the host, so it also matches other domains; anchor it with a '/' or drop the trailing wildcard`,
        });
      }
    }
  }
  return warnings;
}

/**
 * `pattern` without the `*` and `?` at its end. A scan from the end: the regular expression
 * `/[*?]+$/` retries from every position of a long run, quadratic in its length (80,000 `*`
 * took 6 s).
 */
function withoutTrailingWildcards(pattern: string): string {
  let end = pattern.length;
  while (end > 0 && (pattern[end - 1] === '*' || pattern[end - 1] === '?')) end--;
  return pattern.slice(0, end);
}

/** A pattern in a message: JSON-escaped and at most 200 characters (a pattern can be huge). */
function quoteBounded(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
}
