/**
 * How backup work reaches PostgreSQL: one dedicated `pg.Client` (COPY
 * streams and snapshot transactions need a session of their own, and no
 * statement timeout — a big table takes as long as it takes), and the
 * environment for pg_dump/pg_restore/psql, which carries the password so it
 * never appears on a command line (`ps` shows argv to every user).
 */
import pg from 'pg';
import { NovaError } from '../errors.js';
import { localFileError } from '../local-fs-errors.js';
import type { SslMode } from '../config/schema.js';
import {
  buildPoolConfig,
  parsePostgresTarget,
  resolvePostgresOptions,
} from '../stores/postgres/postgres-connection.js';
import { mapPostgresError } from '../stores/postgres/postgres-errors.js';
import { sessionHostFor } from '../stores/postgres/postgres-host-probe.js';
import {
  describeHosts,
  isHighAvailability,
  parsePostgresUrl,
  postgresUrlWithDatabase,
} from '../config/postgres-url.js';
import { PG_USER_SCHEMA_FILTER } from './content-checksum-postgres.js';

/** A PostgreSQL database to back up or restore into. */
export interface PostgresBackupTarget {
  /** postgres://user:password@host:port/database */
  url: string;
  ssl?: SslMode;
  sslCaFile?: string;
}

/** The same server and credentials, another database (scratch databases for verify). */
export function withDatabase(target: PostgresBackupTarget, database: string): PostgresBackupTarget {
  return { ...target, url: postgresUrlWithDatabase(target.url, database) };
}

/** "PostgreSQL host:port/database" (every host of a multi-host URL) — no credentials, for manifests and messages. */
export function describePostgres(target: PostgresBackupTarget): string {
  const parts = parsePostgresUrl(target.url);
  const hosts = parts.hosts.length > 1 ? describeHosts(parts).replaceAll(', ', ',') : undefined;
  const t = parsePostgresTarget(target.url);
  return `PostgreSQL ${hosts ?? `${t.host}:${t.port}`}/${t.database}`;
}

function errorContext(target: PostgresBackupTarget, phase: 'connect' | 'query') {
  return {
    target: parsePostgresTarget(target.url),
    phase,
    sslRequested: (target.ssl ?? 'disable') !== 'disable',
  };
}

/** Maps a failure on a backup session to a NovaError naming the server (never the password). */
export function pgFailure(err: unknown, target: PostgresBackupTarget): NovaError {
  if (err instanceof NovaError) return err;
  // A dump streamed into a file on a full disk is this machine's problem, not the server's.
  return (
    localFileError(err, 'the backup file') ?? mapPostgresError(err, errorContext(target, 'query'))
  );
}

/** Opens a dedicated session; the caller ends it. */
export async function connectPostgres(target: PostgresBackupTarget): Promise<pg.Client> {
  const options = resolvePostgresOptions({
    url: target.url,
    statementTimeoutMs: 0,
    applicationName: 'nova-db backup',
    ...(target.ssl ? { ssl: target.ssl } : {}),
    ...(target.sslCaFile ? { sslCaFile: target.sslCaFile } : {}),
  });
  // A multi-host URL: the server target_session_attrs asks for (the primary, for read-write).
  const config = buildPoolConfig(options, await sessionHostFor(options));
  const client = new pg.Client({
    connectionString: config.connectionString,
    ssl: config.ssl,
    connectionTimeoutMillis: config.connectionTimeoutMillis,
    application_name: options.applicationName,
    keepAlive: true,
  });
  // A server-side disconnect must become a failed statement, never an uncaught 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw mapPostgresError(err, errorContext(target, 'connect'));
  }
  return client;
}

export async function withPostgres<T>(
  target: PostgresBackupTarget,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connectPostgres(target);
  try {
    return await fn(client);
  } catch (err) {
    throw pgFailure(err, target);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function serverVersion(
  client: pg.ClientBase,
): Promise<{ text: string; major: number }> {
  const { rows } = await client.query<{ v: string; n: string }>(
    "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n",
  );
  const num = Number(rows[0]?.n ?? 0);
  return { text: rows[0]?.v ?? 'unknown', major: Math.floor(num / 10_000) };
}

/** Variables of our own environment the tools may see; no PG* ones, so a stray PGSERVICE cannot redirect a restore. */
const PASSED_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SYSTEMROOT',
  'USERPROFILE',
  'APPDATA',
];

/**
 * The complete environment for the command-line tools (use with
 * `extendEnv: false`): connection, TLS mode and password.
 */
export function pgToolEnv(target: PostgresBackupTarget): Record<string, string> {
  const base: Record<string, string> = {};
  for (const key of PASSED_ENV) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  // libpq takes host and port lists and target_session_attrs itself, so the
  // tools find the primary of a multi-host URL the same way the store does.
  const parts = parsePostgresUrl(target.url);
  const env: Record<string, string> = {
    ...base,
    PGHOST: parts.hosts.map((h) => h.host).join(','),
    PGPORT: parts.hosts.map((h) => String(h.port)).join(','),
    PGUSER: parts.user,
    PGDATABASE: parts.database,
    PGSSLMODE: target.ssl ?? 'disable',
    PGAPPNAME: 'nova-db backup',
    PGCONNECT_TIMEOUT: '10',
  };
  if (isHighAvailability(parts)) env.PGTARGETSESSIONATTRS = parts.targetSessionAttrs;
  if (parts.loadBalanceHosts === 'random') env.PGLOADBALANCEHOSTS = 'random';
  const options = parts.params.get('options');
  if (options) env.PGOPTIONS = options;
  if (parts.password !== undefined) env.PGPASSWORD = parts.password;
  if (target.sslCaFile) env.PGSSLROOTCERT = target.sslCaFile;
  return env;
}

/**
 * SQL that empties a database of everything a restore brings back: every
 * user schema, then a fresh `public`. Runs inside the restore transaction,
 * so a failed restore leaves the old contents in place.
 */
export const DROP_USER_SCHEMAS_SQL = `DO $nova$
DECLARE s text;
BEGIN
  FOR s IN SELECT n.nspname FROM pg_namespace n WHERE ${PG_USER_SCHEMA_FILTER}
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END
$nova$`;

/** Refuses a database name we did not make (scratch databases are dropped afterwards). */
export function assertScratchName(name: string): void {
  if (!/^nova_verify_[0-9a-f]{8,}$/.test(name)) {
    throw new NovaError('INTERNAL', `Refusing to treat ${name} as a scratch database.`);
  }
}
