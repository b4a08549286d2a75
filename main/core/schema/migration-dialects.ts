/**
 * What differs between dialects for the migration runner: the bookkeeping
 * table's DDL and how concurrent runners are kept apart. Everything else the
 * runner does goes through the RelationalStore interface.
 */
import { NovaError } from '../errors.js';
import type { SqlDialect, SqlExecutor } from '../sql-types.js';

export const MIGRATIONS_TABLE = 'nova_schema_migrations';

/**
 * Key of the PostgreSQL advisory lock every Nova migration runner takes:
 * "Nova" in ASCII in the high 32 bits, 1 in the low ones. Fixed, so runners
 * in different processes (two app instances, the CLI and the app) meet on it.
 */
export const POSTGRES_MIGRATION_LOCK_KEY = '5651866216357167105';

export interface MigrationDialect {
  readonly dialect: SqlDialect;
  /** Creates the bookkeeping table if it does not exist. */
  readonly createTableSql: string;
  /** One row with a truthy `present` when the bookkeeping table exists (read-only check for status()). */
  readonly tableExistsSql: string;
  /**
   * Runs first in every runner transaction. Returns once this runner may
   * change the schema; a concurrent runner waits here until we commit.
   */
  serialise(tx: SqlExecutor): Promise<void>;
}

const postgres: MigrationDialect = {
  dialect: 'postgres',
  createTableSql: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    version      integer PRIMARY KEY,
    name         text NOT NULL,
    checksum     text NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    execution_ms integer NOT NULL
  )`,
  tableExistsSql: `SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS present`,
  async serialise(tx) {
    // A schema change (an index on a big table) may rightly outlast the
    // pool's statement_timeout, and so may waiting for another runner.
    await tx.query('SET LOCAL statement_timeout = 0');
    // Transaction-scoped: released by COMMIT/ROLLBACK, and by the server if
    // this connection dies, so a crashed runner can never leave it held.
    await tx.query(`SELECT pg_advisory_xact_lock(${POSTGRES_MIGRATION_LOCK_KEY})`);
  },
};

const sqlite: MigrationDialect = {
  dialect: 'sqlite',
  createTableSql: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    version      INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    checksum     TEXT NOT NULL,
    applied_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    execution_ms INTEGER NOT NULL
  )`,
  tableExistsSql: `SELECT count(*) AS present FROM sqlite_master WHERE type = 'table' AND name = '${MIGRATIONS_TABLE}'`,
  async serialise() {
    // The SQLite store opens transactions with BEGIN IMMEDIATE, which takes
    // the database's write lock before the first statement: that already
    // keeps other connections (and processes) out until we commit.
  },
};

export function migrationDialectFor(dialect: SqlDialect): MigrationDialect {
  return dialect === 'postgres' ? postgres : sqlite;
}

/** A transaction executor that can run multi-statement scripts; both stores hand one to transaction(). */
interface ScriptCapable extends SqlExecutor {
  exec(sql: string): Promise<void> | void;
}

/** Runs a migration script (many statements) inside the runner's transaction. */
export async function runScript(tx: SqlExecutor, sql: string): Promise<void> {
  const exec = (tx as Partial<ScriptCapable>).exec;
  if (typeof exec !== 'function') {
    throw new NovaError(
      'INTERNAL',
      `The ${tx.dialect} store's transaction executor has no exec(), so it cannot run migration scripts.`,
      {
        fix: 'Use a store whose transaction() executor offers exec(sql) (PostgresStore, SqliteRelationalStore).',
      },
    );
  }
  await exec.call(tx, sql);
}
