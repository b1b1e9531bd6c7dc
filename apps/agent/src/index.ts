export { main } from './main.js';
export { EMBEDDED_DEFAULT_CONFIG, DEFAULT_CONFIG_PATH } from './embedded-config.js';
