export { RekorTransparencyLog, type RekorOptions } from './rekor-transparency-log.js';
