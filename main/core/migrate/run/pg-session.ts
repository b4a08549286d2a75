/**
 * The PostgreSQL connections of a migration: a small pool whose sessions all
 * carry the settings the engine depends on —
 *
 * - TimeZone UTC, DateStyle ISO, bytea_output hex, extra_float_digits 1:
 *   text output must be exactly what pg-text.ts writes (checksums);
 * - statement_timeout 0: an index build on a large table may take minutes;
 * - synchronous_commit off: each batch commits with its own checkpoint, so a
 *   server crash can only lose both together, and the resumed run redoes
 *   them — while every batch stops waiting for a WAL flush;
 * - maintenance_work_mem 256MB: faster index builds after the load.
 *
 * Errors are mapped to NovaErrors by the data layer's own mapping.
 */
import pg from 'pg';
import { NovaError } from '../../errors.js';
import {
  buildPoolConfig,
  parsePostgresTarget,
  resolvePostgresOptions,
  type PostgresTarget,
} from '../../stores/postgres/postgres-connection.js';
import { mapPostgresError } from '../../stores/postgres/postgres-errors.js';
import { isFailoverError } from '../../stores/postgres/postgres-failover.js';
import { probeHost, sessionHostFor } from '../../stores/postgres/postgres-host-probe.js';
import { sqlState } from '../../stores/postgres/postgres-errors.js';
import { hostLabel, isHighAvailability, parsePostgresUrl } from '../../config/postgres-url.js';
import { redactSecrets } from '../../config/redact.js';

const SESSION_SETTINGS = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, MDY'",
  "SET bytea_output = 'hex'",
  'SET extra_float_digits = 1',
  'SET statement_timeout = 0',
  'SET synchronous_commit = off',
  "SET maintenance_work_mem = '256MB'",
].join('; ');

export interface MigrationPg {
  pool: pg.Pool;
  target: PostgresTarget;
  /** The URL without its password, for reports. */
  display: string;
  /** A dedicated session (the loader keeps its staging table in it). */
  connect(): Promise<pg.PoolClient>;
  mapError(err: unknown): NovaError;
  /**
   * What to tell the user about the error that ended a run: when the
   * connection broke and the server is gone or no longer the primary (a
   * restart, a failover), an error that says so and how to resume; else
   * `err` as the run reported it (mapped when PostgreSQL raised it).
   */
  explainFailure(err: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function openMigrationPg(url: string): Promise<MigrationPg> {
  const options = resolvePostgresOptions({
    url,
    statementTimeoutMs: 0,
    // Two load lanes and the post-load index/verify queues (job-phases.ts loadAll, PostLoad),
    // and two more sessions for building a table's deferred indexes in parallel (pg-target.ts).
    poolMax: 6,
    applicationName: 'nova-db migrate',
  });
  // A multi-host URL: the migration runs on the primary found now; a failover
  // mid-run stops it, and --resume finds the new primary.
  const host = await sessionHostFor(options);
  const target = { ...parsePostgresTarget(options.url), ...host };
  const pool = new pg.Pool(buildPoolConfig(options, host));
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  pool.on('connect', (client) => {
    // Once per connection (not per checkout): a dropped connection fails its next query instead.
    client.on('error', () => undefined);
    client.query(SESSION_SETTINGS).catch(() => undefined);
  });
  const mapError = (err: unknown): NovaError => mapPostgresError(err, { target, phase: 'query' });
  const replicated = isHighAvailability(parsePostgresUrl(url));
  const explainFailure = async (err: unknown): Promise<unknown> => {
    const connectionClass =
      err instanceof NovaError
        ? ['SERVICE_UNAVAILABLE', 'CONN_REFUSED', 'TIMEOUT'].includes(err.code)
        : isFailoverError(err);
    if (connectionClass) {
      const now = await probeHost(options, target, 2_000);
      if (!now.reachable || now.inRecovery)
        return targetLost(err, target, now.reachable, replicated);
    }
    return err instanceof NovaError || sqlState(err) === undefined ? err : mapError(err);
  };
  const migration: MigrationPg = {
    pool,
    target,
    display: redactSecrets(url),
    connect: async () => {
      try {
        return await pool.connect();
      } catch (err) {
        throw mapPostgresError(err, { target, phase: 'connect' });
      }
    },
    mapError,
    explainFailure,
    close: () => pool.end(),
  };
  const client = await migration.connect();
  try {
    const { rows } = await client.query<{ encoding: string }>(
      'SELECT pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()',
    );
    const encoding = rows[0]?.encoding ?? 'UTF8';
    if (encoding !== 'UTF8') {
      throw new NovaError(
        'MIGRATION_FAILED',
        `The target database "${target.database}" uses the ${encoding} encoding; the legacy data is Unicode text and needs UTF8.`,
        {
          fix: `Create the target database with UTF8 (CREATE DATABASE ${target.database} ENCODING 'UTF8' TEMPLATE template0) and migrate into it.`,
        },
      );
    }
  } catch (err) {
    client.release();
    await pool.end();
    throw err instanceof NovaError ? err : mapError(err);
  }
  client.release();
  return migration;
}

/** The run lost its server: it may be restarting or failing over; resuming finishes the job. */
function targetLost(
  err: unknown,
  target: PostgresTarget,
  reachable: boolean,
  replicated: boolean,
): NovaError {
  const where = hostLabel(target);
  const state = reachable ? 'is a standby now' : 'does not answer any more';
  return new NovaError(
    replicated ? 'FAILOVER' : 'SERVICE_UNAVAILABLE',
    `The migration stopped: the connection to PostgreSQL at ${where} broke, and ${where} ${state}${replicated ? ' (the primary is failing over)' : ''}.`,
    {
      cause: err,
      fix: `Resume the migration once PostgreSQL accepts writes again (nova-db migrate with the same --source, --report and --postgres-url, plus --resume): it carries on after the last committed batch${replicated ? ', on whichever host of the URL is the primary then' : ''}; nothing is lost or doubled.`,
    },
  );
}
