export {
  AuthorityError,
  type AuthorityErrorCode,
  LocalAuthority,
  type SvidSubject,
} from './local-authority.js';
