export { type RekorOptions, RekorTransparencyLog } from './rekor-transparency-log.js';
