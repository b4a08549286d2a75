/**
 * `nova-database-appliance`: the data-layer library the Nova API imports
 * (DatabaseFactory and the configuration loader). The legacy node-sqlite3
 * shaped `db` is `nova-database-appliance/legacy`.
 */
export { DatabaseFactory } from './core/stores/database-factory.js';
export type { FactoryHealth, FactoryOptions } from './core/stores/database-factory.js';
export { loadConfig } from './core/config/load-config.js';
export type { LoadConfigOptions, LoadedConfig } from './core/config/load-config.js';
export type { NovaConfig } from './core/config/schema.js';
export { NovaError } from './core/errors.js';
export type { ErrorCode, ErrorData } from './core/errors.js';
export { createLegacyDb } from './core/stores/legacy-db.js';
export { openLegacyDb } from './legacy.js';
