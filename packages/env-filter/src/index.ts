export { filterEnv, type AllowedEnvVar } from './filter-env.js';
