export { ConfigSchema, type Config, type FieldSource, SECRET_KEY } from './schema.js';
export { loadConfig, parseConfig, maskSecrets, envKeys, ConfigError } from './load.js';
