/**
 * Errors in the shape node-sqlite3 gave the legacy API: an Error whose own
 * enumerable properties are `errno` and `code` (`SQLITE_CONSTRAINT`, 19) and
 * whose message starts with the code (`SQLITE_CONSTRAINT: UNIQUE constraint
 * failed: users.email`), because the application branches on those texts.
 * The product's own stable code and fix ride along as `novaCode` and `fix`
 * (not enumerable, so the error looks exactly like the old one when logged).
 */
import { NovaError, type ErrorCode } from '../../errors.js';

const ERRNO: Record<string, number> = {
  SQLITE_ERROR: 1,
  SQLITE_INTERNAL: 2,
  SQLITE_PERM: 3,
  SQLITE_ABORT: 4,
  SQLITE_BUSY: 5,
  SQLITE_LOCKED: 6,
  SQLITE_NOMEM: 7,
  SQLITE_READONLY: 8,
  SQLITE_INTERRUPT: 9,
  SQLITE_IOERR: 10,
  SQLITE_CORRUPT: 11,
  SQLITE_NOTFOUND: 12,
  SQLITE_FULL: 13,
  SQLITE_CANTOPEN: 14,
  SQLITE_PROTOCOL: 15,
  SQLITE_EMPTY: 16,
  SQLITE_SCHEMA: 17,
  SQLITE_TOOBIG: 18,
  SQLITE_CONSTRAINT: 19,
  SQLITE_MISMATCH: 20,
  SQLITE_MISUSE: 21,
  SQLITE_NOLFS: 22,
  SQLITE_AUTH: 23,
  SQLITE_FORMAT: 24,
  SQLITE_RANGE: 25,
  SQLITE_NOTADB: 26,
};

export type SqliteCode = keyof typeof ERRNO;

export interface LegacyErrorOptions {
  novaCode?: ErrorCode;
  fix?: string;
  cause?: unknown;
}

export class LegacySqliteError extends Error {
  declare errno: number;
  declare code: string;
  declare readonly novaCode: ErrorCode;
  declare readonly fix: string | undefined;

  constructor(code: SqliteCode, detail: string, options: LegacyErrorOptions = {}) {
    super(`${code}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    // node-sqlite3's own enumerable properties, in its order.
    this.errno = ERRNO[code] ?? 1;
    this.code = code;
    Object.defineProperty(this, 'name', { value: 'Error', enumerable: false, writable: true });
    Object.defineProperty(this, 'novaCode', {
      value: options.novaCode ?? novaCodeFor(code),
      enumerable: false,
    });
    Object.defineProperty(this, 'fix', { value: options.fix, enumerable: false });
  }
}

function novaCodeFor(code: string): ErrorCode {
  switch (code) {
    case 'SQLITE_CONSTRAINT':
      return 'CONSTRAINT_VIOLATION';
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return 'DB_LOCKED';
    case 'SQLITE_READONLY':
      return 'DB_READONLY';
    case 'SQLITE_CORRUPT':
      return 'DB_CORRUPT';
    case 'SQLITE_NOTADB':
      return 'NOT_SQLITE';
    case 'SQLITE_CANTOPEN':
      return 'SERVICE_UNAVAILABLE';
    case 'SQLITE_MISUSE':
    case 'SQLITE_RANGE':
      return 'INVALID_ARGUMENT';
    default:
      return 'QUERY_FAILED';
  }
}

/** The primary SQLite code of an extended one (`SQLITE_CONSTRAINT_UNIQUE` → `SQLITE_CONSTRAINT`). */
export function primaryCode(code: string): SqliteCode {
  const second = code.indexOf('_', 'SQLITE_'.length);
  const primary = second === -1 ? code : code.slice(0, second);
  return primary in ERRNO ? primary : 'SQLITE_ERROR';
}

/**
 * A statement the compatibility layer cannot run on this backend. The message
 * names the idiom; `fix` says what to write instead (both are listed in
 * docs/upgrading-nova-api.md).
 */
export function untranslatable(idiom: string, fix: string, sql?: string): LegacySqliteError {
  const where = sql ? ` in: ${sql.replace(/\s+/g, ' ').trim().slice(0, 160)}` : '';
  return new LegacySqliteError(
    'SQLITE_ERROR',
    `${idiom} is not supported by the Nova compatibility layer on this database${where}`,
    { novaCode: 'QUERY_FAILED', fix },
  );
}

/** A NovaError from a store (connection refused, file locked…) in node-sqlite3's shape. */
export function fromNovaError(err: NovaError): LegacySqliteError {
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string' && cause.code.startsWith('SQLITE_')) {
    return new LegacySqliteError(primaryCode(cause.code), String(cause.message), {
      novaCode: err.code,
      ...(err.fix ? { fix: err.fix } : {}),
      cause: err,
    });
  }
  // A failover is "busy, try again", as a locked SQLite file was for this code.
  const code: SqliteCode =
    err.code === 'DB_LOCKED' || err.code === 'FAILOVER'
      ? 'SQLITE_BUSY'
      : err.code === 'DB_READONLY'
        ? 'SQLITE_READONLY'
        : err.code === 'DB_CORRUPT'
          ? 'SQLITE_CORRUPT'
          : err.code === 'NOT_SQLITE'
            ? 'SQLITE_NOTADB'
            : err.code === 'INVALID_ARGUMENT'
              ? 'SQLITE_MISUSE'
              : err.code === 'QUERY_FAILED' || err.code === 'CONSTRAINT_VIOLATION'
                ? 'SQLITE_ERROR'
                : 'SQLITE_CANTOPEN';
  const detail =
    code === 'SQLITE_CANTOPEN' ? `unable to open database file (${err.message})` : err.message;
  return new LegacySqliteError(code, detail, {
    novaCode: err.code,
    ...(err.fix ? { fix: err.fix } : {}),
    cause: err,
  });
}

/** Anything thrown below the layer, in node-sqlite3's shape. */
export function toLegacyError(err: unknown): LegacySqliteError {
  if (err instanceof LegacySqliteError) return err;
  if (err instanceof NovaError) return fromNovaError(err);
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    return new LegacySqliteError(primaryCode(e.code), String(e.message), { cause: err });
  }
  return new LegacySqliteError('SQLITE_ERROR', err instanceof Error ? err.message : String(err), {
    novaCode: 'INTERNAL',
    cause: err,
  });
}
