/**
 * PostgreSQL and driver failures → NovaError with a stable code and a fix a
 * person can act on (docs/ARCHITECTURE.md#errors-as-data). We branch on SQLSTATE (`DatabaseError.code`),
 * on Node errno/TLS codes, and — for the few `pg` driver errors that carry no
 * code at all — on facts the store observed (phase, elapsed time, a TLS probe),
 * never on message text, which changes between versions and locales.
 */
import { NovaError } from '../../errors.js';
import type { PostgresTarget } from './postgres-connection.js';

export interface PostgresErrorContext {
  target: PostgresTarget;
  /** `connect`: getting a session (TCP, TLS, startup, auth); `query`: running SQL on one. */
  phase: 'connect' | 'query';
  /** TLS was requested (POSTGRES_SSL ≠ disable). */
  sslRequested?: boolean;
  /** Result of a TLS probe after a code-less connect failure: false = the server answered "no SSL". */
  serverSupportsSsl?: boolean;
  /** How long the failed connect attempt took, and the limit it had. */
  elapsedMs?: number;
  connectTimeoutMs?: number;
  /** Every pool slot was busy when the connect attempt started. */
  poolExhausted?: boolean;
  poolMax?: number;
  statementTimeoutMs?: number;
}

/** The server-side details `pg` attaches to an error reported by PostgreSQL. */
interface ServerError extends Error {
  code: string;
  severity?: string;
  detail?: string;
  hint?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of an error PostgreSQL reported, or undefined for driver/network errors. */
export function sqlState(err: unknown): string | undefined {
  return isServerError(err) ? err.code : undefined;
}

function isServerError(err: unknown): err is ServerError {
  // Node errno codes are E-prefixed words, TLS codes long words; SQLSTATE is
  // exactly five characters and `pg` always sets `severity` next to it.
  if (!(err instanceof Error)) return false;
  const { code, severity } = err as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && SQLSTATE.test(code) && typeof severity === 'string';
}

function errnoCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || isServerError(err)) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether the session that produced `err` can still be used. Server errors
 * at ERROR level leave it usable; FATAL/PANIC, connection-class SQLSTATEs and
 * anything raised by the driver or the network mean it must be destroyed, not
 * returned to the pool.
 */
export function isSessionReusable(err: unknown): boolean {
  if (!isServerError(err)) return false;
  if (err.severity === 'FATAL' || err.severity === 'PANIC') return false;
  return !err.code.startsWith('08') && !err.code.startsWith('57P');
}

const TLS_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);
const TLS_EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

function isTlsCode(code: string): boolean {
  return (
    TLS_UNTRUSTED.has(code) ||
    TLS_EXPIRED.has(code) ||
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code === 'EPROTO'
  );
}

const where = (t: PostgresTarget): string => `${t.host}:${t.port}`;

/** Maps anything thrown while talking to PostgreSQL to a NovaError. NovaErrors pass through. */
export function mapPostgresError(err: unknown, ctx: PostgresErrorContext): NovaError {
  if (err instanceof NovaError) return err;
  if (isServerError(err)) return mapServerError(err, ctx);
  const code = errnoCode(err);
  if (code !== undefined) return mapSystemError(err as Error, code, ctx);
  return mapCodelessError(err, ctx);
}

function mapServerError(err: ServerError, ctx: PostgresErrorContext): NovaError {
  const t = ctx.target;
  const state = err.code;
  const opts = { cause: err };
  if (state === '28P01') {
    return new NovaError(
      'AUTH_FAILED',
      `password authentication failed for user ${t.user} — check POSTGRES_URL`,
      {
        ...opts,
        fix: `Put the right password for "${t.user}" in POSTGRES_URL (percent-encode special characters), or reset it with ALTER ROLE.`,
      },
    );
  }
  if (state === '28000') {
    return new NovaError(
      'AUTH_FAILED',
      `PostgreSQL at ${where(t)} refused the login of user ${t.user}: ${err.message} — check POSTGRES_URL`,
      {
        ...opts,
        fix: `Create the role (CREATE ROLE "${t.user}" LOGIN PASSWORD '…'), allow it in pg_hba.conf, or correct the user in POSTGRES_URL.`,
      },
    );
  }
  if (state === '3D000') {
    return new NovaError(
      'DB_MISSING',
      `Database "${t.database}" does not exist on the PostgreSQL server at ${where(t)}.`,
      {
        ...opts,
        fix: `Create it (createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database}) or correct the database name in POSTGRES_URL.`,
      },
    );
  }
  if (state === '57014' || state === '55P03') {
    const limit = ctx.statementTimeoutMs ? ` (statement_timeout ${ctx.statementTimeoutMs} ms)` : '';
    return new NovaError(
      'TIMEOUT',
      `PostgreSQL cancelled the statement${limit}: ${err.message} (SQLSTATE ${state}).`,
      {
        ...opts,
        fix:
          state === '55P03'
            ? 'Another session holds the lock; retry when it finishes, or find it in pg_stat_activity.'
            : 'Raise POSTGRES_STATEMENT_TIMEOUT_MS (0 disables the limit) or make the query cheaper (an index, a smaller batch).',
      },
    );
  }
  if (state.startsWith('23')) {
    const on = err.constraint
      ? ` (constraint ${err.constraint}${err.table ? ` on ${err.table}` : ''})`
      : '';
    const detail = err.detail ? ` ${err.detail}` : '';
    return new NovaError(
      'CONSTRAINT_VIOLATION',
      `${err.message}${on}.${detail} (SQLSTATE ${state})`,
      {
        ...opts,
        fix: 'Change the data so it satisfies the constraint (unique, not-null, foreign key or check).',
      },
    );
  }
  if (state === '53300' || state === '57P03' || state.startsWith('08') || state.startsWith('57P')) {
    return new NovaError(
      'SERVICE_UNAVAILABLE',
      `PostgreSQL at ${where(t)} is not accepting this session: ${err.message} (SQLSTATE ${state}).`,
      {
        ...opts,
        fix:
          state === '53300'
            ? `The server is out of connection slots; lower POSTGRES_POOL_MAX in the apps sharing it or raise max_connections.`
            : 'The server is starting, stopping or restarting; retry shortly, and check its log if it persists.',
      },
    );
  }
  const hint = err.hint ? ` Hint: ${err.hint}` : '';
  return new NovaError(
    'QUERY_FAILED',
    `PostgreSQL rejected the statement: ${err.message} (SQLSTATE ${state}).${hint}`,
    {
      ...opts,
      fix: err.hint ?? 'Check the SQL and its parameters against the schema.',
    },
  );
}

function mapSystemError(err: Error, code: string, ctx: PostgresErrorContext): NovaError {
  const t = ctx.target;
  const opts = { cause: err };
  switch (code) {
    case 'ECONNREFUSED':
      return new NovaError(
        'CONN_REFUSED',
        `Nothing is accepting PostgreSQL connections at ${where(t)} (connection refused).`,
        {
          ...opts,
          fix: `Start the PostgreSQL service (nova-db up, or the system service manager), or correct the host and port in POSTGRES_URL.`,
        },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NovaError(
        'CONN_REFUSED',
        `The PostgreSQL host name "${t.host}" cannot be resolved (${code}).`,
        {
          ...opts,
          fix: 'Correct the host in POSTGRES_URL, or check DNS and the network connection.',
        },
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new NovaError(
        'CONN_REFUSED',
        `The PostgreSQL host ${where(t)} is unreachable (${code}).`,
        {
          ...opts,
          fix: 'Check the network route and firewall to the server, or correct the host in POSTGRES_URL.',
        },
      );
    case 'ETIMEDOUT':
      return connectTimeout(err, ctx);
  }
  if (isTlsCode(code)) return mapTlsError(err, code, ctx);
  if (code === 'ECONNRESET' || code === 'EPIPE') return connectionLost(err, ctx);
  return new NovaError(
    'QUERY_FAILED',
    `Talking to PostgreSQL at ${where(t)} failed: ${err.message} (${code}).`,
    opts,
  );
}

function mapTlsError(err: Error, code: string, ctx: PostgresErrorContext): NovaError {
  const t = ctx.target;
  const opts = { cause: err };
  if (TLS_UNTRUSTED.has(code)) {
    return new NovaError(
      'TLS_FAILED',
      `The TLS certificate of PostgreSQL at ${where(t)} is not signed by a trusted CA (${code}).`,
      {
        ...opts,
        fix: 'Set POSTGRES_SSL_CA to the PEM file of the CA that signed the server certificate, or POSTGRES_SSL=require to encrypt without verifying.',
      },
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new NovaError(
      'TLS_FAILED',
      `The TLS certificate of PostgreSQL at ${where(t)} was not issued for "${t.host}" (${code}).`,
      {
        ...opts,
        fix: 'Use in POSTGRES_URL the host name the certificate was issued for, or reissue the certificate with this name.',
      },
    );
  }
  if (TLS_EXPIRED.has(code)) {
    return new NovaError(
      'TLS_FAILED',
      `The TLS certificate of PostgreSQL at ${where(t)} is outside its validity period (${code}).`,
      {
        ...opts,
        fix: 'Renew the server certificate, and check that this machine’s clock is right.',
      },
    );
  }
  return new NovaError(
    'TLS_FAILED',
    `The TLS handshake with PostgreSQL at ${where(t)} failed: ${err.message} (${code}).`,
    {
      ...opts,
      fix: 'Check the server’s ssl settings and POSTGRES_SSL / POSTGRES_SSL_CA.',
    },
  );
}

function connectTimeout(err: unknown, ctx: PostgresErrorContext): NovaError {
  const t = ctx.target;
  const limit = ctx.connectTimeoutMs ?? ctx.elapsedMs ?? 0;
  if (ctx.poolExhausted) {
    return new NovaError(
      'TIMEOUT',
      `No PostgreSQL connection became free within ${limit} ms: all ${ctx.poolMax ?? '?'} pool connections stayed busy.`,
      {
        cause: err,
        fix: 'Raise POSTGRES_POOL_MAX, or find the long-running work holding connections (pg_stat_activity).',
      },
    );
  }
  return new NovaError(
    'TIMEOUT',
    `PostgreSQL at ${where(t)} did not complete the connection within ${limit} ms.`,
    {
      cause: err,
      fix: 'Check that the server is up and not overloaded and that a firewall is not dropping packets, or raise POSTGRES_CONNECT_TIMEOUT_MS.',
    },
  );
}

function connectionLost(err: unknown, ctx: PostgresErrorContext): NovaError {
  const t = ctx.target;
  const during = ctx.phase === 'connect' ? 'while connecting' : 'while running a statement';
  const reason = err instanceof Error ? err.message : String(err);
  return new NovaError(
    'SERVICE_UNAVAILABLE',
    `The connection to PostgreSQL at ${where(t)} was lost ${during}: ${reason}`,
    {
      cause: err,
      fix: 'Check that the server is running (it may have restarted); the next attempt opens a fresh connection.',
    },
  );
}

/**
 * `pg` raises a few errors with no code: its own connect timer, the server
 * answering "N" to an SSL request, and a socket that closed. The store tells
 * us which by what it measured; we never read the message.
 */
function mapCodelessError(err: unknown, ctx: PostgresErrorContext): NovaError {
  if (ctx.phase === 'connect') {
    if (
      ctx.connectTimeoutMs !== undefined &&
      ctx.elapsedMs !== undefined &&
      ctx.elapsedMs >= ctx.connectTimeoutMs * 0.95
    ) {
      return connectTimeout(err, ctx);
    }
    if (ctx.sslRequested && ctx.serverSupportsSsl === false) {
      return new NovaError(
        'TLS_FAILED',
        `PostgreSQL at ${where(ctx.target)} does not support SSL connections, but POSTGRES_SSL asks for TLS.`,
        {
          cause: err,
          fix: 'Enable ssl on the server (ssl = on with a certificate), or set POSTGRES_SSL=disable if the network path is trusted.',
        },
      );
    }
  }
  if (err instanceof TypeError || err instanceof RangeError) {
    // Raised by the driver while encoding parameters (e.g. a circular object).
    return new NovaError(
      'QUERY_FAILED',
      `A query parameter could not be sent to PostgreSQL: ${err.message}`,
      {
        cause: err,
        fix: 'Pass strings, numbers, booleans, Dates, Buffers, null or plain JSON-serialisable objects as parameters.',
      },
    );
  }
  return connectionLost(err, ctx);
}
