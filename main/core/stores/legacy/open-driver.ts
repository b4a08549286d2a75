/**
 * Opens the legacy `db`'s database from the appliance's configuration (the
 * same env/.env/settings file as `nova-db`), or on a store the
 * DatabaseFactory already opened.
 *
 * Embedded profile: an existing file without the product's schema (a legacy
 * `log.sqlite`) is opened as it is — nothing is added to it; a new or empty
 * file, or one that already has the product's schema, gets the product's
 * schema migrations first. PostgreSQL profiles: the product's schema
 * migrations run first (as DatabaseFactory.initialize does), then the
 * catalog is read.
 */
import type { NovaConfig } from '../../config/schema.js';
import { serviceProfiles } from '../../config/schema.js';
import { resolveSqliteFile } from '../../config/sqlite-path.js';
import { NovaError } from '../../errors.js';
import { migrateSchema } from '../../schema/migration-runner.js';
import { isLegacySqliteFile } from '../sqlite/legacy-file.js';
import type { RelationalStore } from '../types.js';
import type { LegacyDriver } from './driver-common.js';

/** The legacy driver on a store the DatabaseFactory opened (it keeps owning the store). */
export async function driverForStore(store: RelationalStore): Promise<LegacyDriver> {
  if (store.dialect === 'sqlite') {
    const { SqliteRelationalStore } = await import('../sqlite/relational-store.js');
    if (!(store instanceof SqliteRelationalStore)) {
      throw new NovaError('INVALID_ARGUMENT', 'Unsupported SQLite store for the legacy db.');
    }
    const { SqliteLegacyDriver } = await import('./sqlite-driver.js');
    return new SqliteLegacyDriver(store.db);
  }
  const { PostgresStore } = await import('../postgres/postgres-store.js');
  if (!(store instanceof PostgresStore)) {
    throw new NovaError('INVALID_ARGUMENT', 'Unsupported PostgreSQL store for the legacy db.');
  }
  const { PgLegacyDriver } = await import('./pg-driver.js');
  const driver = new PgLegacyDriver(store.poolOptions);
  await driver.open();
  return driver;
}

export interface OpenLegacyOptions {
  /** PostgreSQL URL to use instead of the configuration's (native/docker endpoints, tests). */
  postgresUrl?: string;
}

/** The legacy driver for a configuration (owns what it opens; close() releases it). */
export async function openLegacyDriver(
  config: NovaConfig,
  options: OpenLegacyOptions = {},
): Promise<LegacyDriver> {
  const profile = serviceProfiles(config).postgres;
  if (profile === 'embedded') {
    const { SqliteRelationalStore } = await import('../sqlite/relational-store.js');
    const store = SqliteRelationalStore.open(resolveSqliteFile(config), {
      busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
    });
    try {
      if (!isLegacySqliteFile(store.db)) await migrateSchema(store);
      const { SqliteLegacyDriver } = await import('./sqlite-driver.js');
      return new SqliteLegacyDriver(store.db, () => store.close());
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const url = options.postgresUrl ?? (await postgresUrlFor(config, profile));
  const { postgresOptionsFromConfig } = await import('../postgres/postgres-connection.js');
  const pgOptions = postgresOptionsFromConfig({ ...config, POSTGRES_URL: url });
  const { PostgresStore } = await import('../postgres/postgres-store.js');
  const store = await PostgresStore.open(pgOptions);
  try {
    await migrateSchema(store);
  } finally {
    await store.close();
  }
  const { PgLegacyDriver } = await import('./pg-driver.js');
  const driver = new PgLegacyDriver(pgOptions);
  try {
    await driver.open();
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
  return driver;
}

async function postgresUrlFor(config: NovaConfig, profile: string): Promise<string> {
  if (profile === 'external' || config.POSTGRES_URL) {
    if (config.POSTGRES_URL) return config.POSTGRES_URL;
    throw new NovaError(
      'CONFIG_INVALID',
      'POSTGRES_URL: PostgreSQL uses the external profile but no URL is set.',
      {
        fix: "Set POSTGRES_URL to the server's URL.",
      },
    );
  }
  // native/docker: the server `nova-db up` started (never started from here).
  const { resolveServiceEndpoints } = await import('../../services/resolve-endpoints.js');
  const services = await resolveServiceEndpoints({ config, mode: 'adopt', supervisor: false });
  const url = services.endpoints.postgres;
  await services.release();
  if (!url) {
    throw new NovaError('SERVICE_UNAVAILABLE', `PostgreSQL (${profile} profile) is not running.`, {
      fix: 'Start it with `nova-db up`, then start the application again.',
    });
  }
  return url;
}
