export { globMatches, IdentityGlob } from './identity-glob.js';
export {
  lintAllowedIdentities,
  type PolicyWarning,
  type PolicyWarningCode,
  WELL_KNOWN_PUBLIC_ISSUERS,
} from './policy-lint.js';
