export { type AllowedEnvVar, filterEnv } from './filter-env.js';
