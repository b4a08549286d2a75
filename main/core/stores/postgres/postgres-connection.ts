/**
 * Turns Nova settings into a `pg` pool configuration: who we connect to (for
 * messages), TLS per POSTGRES_SSL, timeouts, and type parsing that keeps
 * results shaped like the SQLite store's.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { PoolConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import { NovaError } from '../../errors.js';
import type { NovaConfig, SslMode } from '../../config/schema.js';
import { redactSecrets } from '../../config/redact.js';
import {
  isHighAvailability,
  parsePostgresUrl,
  postgresUrlForHost,
  type PostgresHostPort,
} from '../../config/postgres-url.js';

/** How to reach PostgreSQL; every field but `url` has the NovaConfig default. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (POSTGRES_URL), or several `host:port` joined by commas. */
  url: string;
  /** Most connections the pool opens (POSTGRES_POOL_MAX, default 10). */
  poolMax?: number;
  /** Idle connections are closed after this long (POSTGRES_IDLE_TIMEOUT_MS, default 30 000; 0 keeps them). */
  idleTimeoutMs?: number;
  /** Give up connecting, or waiting for a free pool slot, after this long (POSTGRES_CONNECT_TIMEOUT_MS, default 5 000). */
  connectTimeoutMs?: number;
  /** Server-side statement_timeout for every session (POSTGRES_STATEMENT_TIMEOUT_MS, default 60 000; 0 = none). */
  statementTimeoutMs?: number;
  /** disable | require (encrypt, trust any certificate) | verify-full (check CA and host name). */
  ssl?: SslMode;
  /** PEM file with the CA that signed the server certificate (POSTGRES_SSL_CA). */
  sslCaFile?: string;
  /** Shown in pg_stat_activity so an admin can tell Nova's sessions apart. */
  applicationName?: string;
}

/** The server and identity a connection is for; used in messages, never holds the password. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

export interface ResolvedPostgresOptions extends Required<Omit<PostgresStoreOptions, 'sslCaFile'>> {
  sslCaFile: string | undefined;
}

export const POSTGRES_DEFAULTS = {
  poolMax: 10,
  idleTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 60_000,
  ssl: 'disable',
  applicationName: 'nova-db',
} as const satisfies Partial<PostgresStoreOptions>;

/** The store options NovaConfig describes; refuses a config without POSTGRES_URL. */
export function postgresOptionsFromConfig(config: NovaConfig): PostgresStoreOptions {
  if (!config.POSTGRES_URL) {
    throw new NovaError(
      'CONFIG_INVALID',
      'POSTGRES_URL is not set, so there is no PostgreSQL server to connect to.',
      {
        fix: 'Set POSTGRES_URL=postgres://user:password@host:5432/database, or choose a profile that starts PostgreSQL for you.',
      },
    );
  }
  return {
    url: config.POSTGRES_URL,
    poolMax: config.POSTGRES_POOL_MAX,
    idleTimeoutMs: config.POSTGRES_IDLE_TIMEOUT_MS,
    connectTimeoutMs: config.POSTGRES_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.POSTGRES_STATEMENT_TIMEOUT_MS,
    ssl: config.POSTGRES_SSL,
    sslCaFile: config.POSTGRES_SSL_CA,
  };
}

/** Fills defaults and validates the numbers, naming the setting that is wrong. */
export function resolvePostgresOptions(options: PostgresStoreOptions): ResolvedPostgresOptions {
  const resolved: ResolvedPostgresOptions = {
    url: options.url,
    poolMax: options.poolMax ?? POSTGRES_DEFAULTS.poolMax,
    idleTimeoutMs: options.idleTimeoutMs ?? POSTGRES_DEFAULTS.idleTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs,
    ssl: options.ssl ?? POSTGRES_DEFAULTS.ssl,
    sslCaFile: options.sslCaFile,
    applicationName: options.applicationName ?? POSTGRES_DEFAULTS.applicationName,
  };
  const numbers: [string, number, number][] = [
    ['POSTGRES_POOL_MAX', resolved.poolMax, 1],
    ['POSTGRES_IDLE_TIMEOUT_MS', resolved.idleTimeoutMs, 0],
    ['POSTGRES_CONNECT_TIMEOUT_MS', resolved.connectTimeoutMs, 1],
    ['POSTGRES_STATEMENT_TIMEOUT_MS', resolved.statementTimeoutMs, 0],
  ];
  for (const [name, value, min] of numbers) {
    if (!Number.isInteger(value) || value < min) {
      throw new NovaError(
        'CONFIG_INVALID',
        `${name} must be a whole number ≥ ${min}, got ${String(value)}.`,
        {
          fix: `Set ${name} to a whole number of at least ${min}.`,
        },
      );
    }
  }
  if (!['disable', 'require', 'verify-full'].includes(resolved.ssl)) {
    throw new NovaError(
      'CONFIG_INVALID',
      `POSTGRES_SSL must be disable, require or verify-full, got "${String(resolved.ssl)}".`,
      {
        fix: 'Set POSTGRES_SSL=disable (trusted network), require (encrypt) or verify-full (encrypt and verify the server).',
      },
    );
  }
  return resolved;
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new NovaError(
      'CONFIG_INVALID',
      `POSTGRES_URL is not a valid URL: ${redactSecrets(url)}`,
      {
        fix: 'Use the form postgres://user:password@host:5432/database (percent-encode special characters in the password).',
      },
    );
  }
}

/**
 * Where `url` points, resolved the way `pg` resolves it (URL first, then PG*
 * variables, then defaults). For a URL with several hosts this is the first
 * one; the store reports the host it actually uses.
 */
export function parsePostgresTarget(url: string): PostgresTarget {
  const parts = parsePostgresUrl(url);
  const first = parts.hosts[0]!;
  return { host: first.host, port: first.port, database: parts.database, user: parts.user };
}

/** URL parameters through which `pg` would configure TLS behind POSTGRES_SSL's back. */
const URL_TLS_PARAMS = [
  'ssl',
  'sslmode',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslnegotiation',
  'uselibpqcompat',
];

/**
 * `pg` lets TLS parameters in the URL override the `ssl` option we pass, so
 * a URL copied from a hosting dashboard could silently change the security
 * of the connection. We accept `sslmode` only when it agrees with
 * POSTGRES_SSL, refuse the others, and strip them before handing the URL on.
 */
function stripUrlTls(parsed: URL, ssl: SslMode): string {
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode !== null && sslmode !== ssl) {
    throw new NovaError(
      'CONFIG_INVALID',
      `POSTGRES_URL says sslmode=${sslmode} but POSTGRES_SSL is ${ssl}; Nova will not guess which one you meant.`,
      {
        fix: 'Remove sslmode from POSTGRES_URL and set POSTGRES_SSL (disable, require or verify-full) instead.',
      },
    );
  }
  for (const name of URL_TLS_PARAMS) {
    if (name !== 'sslmode' && parsed.searchParams.has(name)) {
      throw new NovaError(
        'CONFIG_INVALID',
        `POSTGRES_URL contains the TLS parameter "${name}", which Nova does not take from the URL.`,
        {
          fix: 'Remove it from POSTGRES_URL; configure TLS with POSTGRES_SSL and POSTGRES_SSL_CA.',
        },
      );
    }
    parsed.searchParams.delete(name);
  }
  return parsed.toString();
}

function tlsOptions(options: ResolvedPostgresOptions): false | ConnectionOptions {
  if (options.ssl === 'disable') return false;
  let ca: string | undefined;
  if (options.sslCaFile) {
    try {
      ca = readFileSync(options.sslCaFile, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new NovaError(
        'CONFIG_INVALID',
        `POSTGRES_SSL_CA=${options.sslCaFile} cannot be read (${reason}).`,
        {
          fix: 'Point POSTGRES_SSL_CA at the PEM file of the CA that signed the server certificate, readable by Nova.',
          cause: err,
        },
      );
    }
  }
  // require = encrypt only (libpq semantics); verify-full = CA chain and host name.
  // Without POSTGRES_SSL_CA, verify-full falls back to Node's bundled public CAs,
  // which is what managed services signed by a public CA need.
  return {
    rejectUnauthorized: options.ssl === 'verify-full',
    ...(ca === undefined ? {} : { ca }),
  };
}

const INT8_OID = 20;

/**
 * COUNT(*), SUM over integers and bigint/identity keys arrive as int8, which
 * `pg` returns as strings by default while SQLite returns numbers. We return
 * numbers when they are exact and keep the string beyond 2^53 rather than
 * lose precision. Per pool, so other `pg` users in the process are unaffected.
 */
function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

const novaTypes: PoolConfig['types'] = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The `pg.Pool` configuration for validated options. `pg` takes one host:
 * for a URL with several (or with target_session_attrs) pass the host to
 * use, found by findSessionHost (postgres-host-probe.ts); without one the
 * first host is used.
 */
export function buildPoolConfig(
  options: ResolvedPostgresOptions,
  host?: PostgresHostPort,
): PoolConfig {
  const parts = parsePostgresUrl(options.url);
  const url =
    host !== undefined || isHighAvailability(parts)
      ? postgresUrlForHost(parts, host ?? parts.hosts[0]!)
      : options.url;
  const connectionString = stripUrlTls(parseUrl(url), options.ssl);
  return {
    connectionString,
    max: options.poolMax,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: options.connectTimeoutMs,
    // pg sends statement_timeout only when truthy; 0 means "no limit" on both sides.
    ...(options.statementTimeoutMs > 0 ? { statement_timeout: options.statementTimeoutMs } : {}),
    ssl: tlsOptions(options),
    application_name: options.applicationName,
    // TCP keepalive notices a server that vanished (VM suspended, cable pulled) on idle connections.
    keepAlive: true,
    // A CLI command that forgets close() should still exit once the pool is idle.
    allowExitOnIdle: true,
    types: novaTypes,
  };
}
