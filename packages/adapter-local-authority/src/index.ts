export { AuthorityError, type AuthorityErrorCode, LocalAuthority } from './local-authority.js';
