/** The shared contract: schemas, method names, events, and the error shape. */
export * from './common.js';
export * from './contract.js';
export * from './errors.js';
export * from './events.js';
export * from './method-names.js';
export * from './methods/app.js';
export * from './methods/backups.js';
export * from './methods/health.js';
export * from './methods/migration.js';
export * from './methods/migration-wizard.js';
export * from './methods/services.js';
export * from './methods/settings.js';
export * from './methods/setup.js';
export * from './methods/tasks.js';
export * from './bridge.js';
