export { parseYamlDocuments, loadYamlConfig, type YamlParseResult } from './yaml-config.js';
export { readConfigFile, MAX_CONFIG_FILE_BYTES } from './config-file.js';
export { loadConfigFile, type ConfigFileResult } from './config-file-source.js';
