export { IdentityGlob, globMatches } from './identity-glob.js';
export {
  lintAllowedIdentities,
  WELL_KNOWN_PUBLIC_ISSUERS,
  type PolicyWarning,
  type PolicyWarningCode,
} from './policy-lint.js';
