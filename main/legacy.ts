/**
 * `nova-database-appliance/legacy`: the drop-in replacement for the Nova
 * API's `db.js` (docs/upgrading-nova-api.md). The default export behaves like
 * the old `new sqlite3.Database('log.sqlite')`: usable at once, calls wait
 * until the database is open, and it runs on whatever the appliance is
 * configured for (the same environment, `.env` and settings file as
 * `nova-db`): the embedded SQLite file — a legacy `log.sqlite` opened as it
 * is, or the product's own schema — or PostgreSQL after `nova-db migrate`.
 */
import { loadConfig, type LoadConfigOptions } from './core/config/load-config.js';
import type { LegacyDatabase } from './core/stores/legacy-db.js';
import { createLegacyDatabase } from './core/stores/legacy-db.js';
import { openLegacyDriver } from './core/stores/legacy/open-driver.js';

export { LegacyDatabase, LegacyStatement, LegacySqliteError } from './core/stores/legacy-db.js';
export type { RunContext } from './core/stores/legacy-db.js';

export interface OpenLegacyDbOptions extends Pick<LoadConfigOptions, 'dataDir' | 'env' | 'cwd'> {
  /** A PostgreSQL URL to use instead of the configured one. */
  postgresUrl?: string;
  /** Open on first use instead of now. */
  lazy?: boolean;
}

/** A legacy `db` configured like `nova-db` (or with the given overrides). */
export function openLegacyDb(options: OpenLegacyDbOptions = {}): LegacyDatabase {
  return createLegacyDatabase(
    async () => {
      const { config } = await loadConfig({
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      });
      return openLegacyDriver(
        config,
        options.postgresUrl ? { postgresUrl: options.postgresUrl } : {},
      );
    },
    { lazy: options.lazy ?? false },
  );
}

/** The old `db`: opens on first use, from the appliance's configuration. */
const db: LegacyDatabase = openLegacyDb({ lazy: true });
export default db;
