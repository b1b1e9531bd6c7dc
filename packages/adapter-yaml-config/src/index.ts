export { MAX_CONFIG_FILE_BYTES, readConfigFile } from './config-file.js';
export { type ConfigFileResult, loadConfigFile } from './config-file-source.js';
export { DEFAULT_CONFIG_PATH, EMBEDDED_DEFAULT_CONFIG } from './embedded-config.js';
export { loadYamlConfig, parseYamlDocuments, type YamlParseResult } from './yaml-config.js';
