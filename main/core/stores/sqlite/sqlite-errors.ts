/**
 * better-sqlite3 throws SqliteError with SQLite's extended result code
 * (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_CONSTRAINT_UNIQUE`…). Callers branch on our
 * stable codes instead, and people get a message that names the file and says
 * what to do.
 */
import { NovaError } from '../../errors.js';

export interface SqliteErrorContext {
  file: string;
  busyTimeoutMs: number;
  /** The statement being run, quoted (shortened) in QUERY_FAILED messages. */
  sql?: string;
}

const DATA_DIR_FIX =
  'Set NOVA_DATA_DIR (or SQLITE_FILE) to a directory this user can write, or fix the permissions of the current one.';

/** The primary SQLite result code of an error, e.g. `SQLITE_BUSY` for `SQLITE_BUSY_SNAPSHOT`. */
export function primarySqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const second = code.indexOf('_', 'SQLITE_'.length);
  return second === -1 ? code : code.slice(0, second);
}

export function mapSqliteError(err: unknown, ctx: SqliteErrorContext): NovaError {
  if (err instanceof NovaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const file = ctx.file;

  switch (primarySqliteCode(err)) {
    case 'SQLITE_NOTADB':
      return new NovaError(
        'NOT_SQLITE',
        `${file} is not a SQLite database (SQLite says: ${message}).`,
        {
          fix: 'Point SQLITE_FILE at a SQLite database, or move this file aside so a new database can be created.',
          cause: err,
        },
      );
    case 'SQLITE_CORRUPT':
      return corruptError(file, message, err);
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new NovaError(
        'DB_LOCKED',
        `${file} is locked: another process or connection holds it and did not release it within ${ctx.busyTimeoutMs} ms.`,
        {
          fix: 'Close the other program using this file (another Nova instance, a sqlite3 shell, a backup tool), or raise SQLITE_BUSY_TIMEOUT_MS.',
          cause: err,
        },
      );
    case 'SQLITE_READONLY':
      return new NovaError('DB_READONLY', `${file} is read-only: ${message}.`, {
        fix: `Make the file, its -wal/-shm companions and its directory writable by this user. ${DATA_DIR_FIX}`,
        cause: err,
      });
    case 'SQLITE_CANTOPEN':
      return new NovaError('DATA_DIR_NOT_WRITABLE', `Cannot open ${file}: ${message}.`, {
        fix: `Check that the path is a file in an existing, writable directory. ${DATA_DIR_FIX}`,
        cause: err,
      });
    case 'SQLITE_FULL':
      return new NovaError('QUERY_FAILED', `The disk holding ${file} is full: ${message}.`, {
        fix: 'Free disk space, or move NOVA_DATA_DIR to a larger disk.',
        cause: err,
      });
    case 'SQLITE_CONSTRAINT':
      return new NovaError('CONSTRAINT_VIOLATION', message, { cause: err });
    default:
      return new NovaError(
        'QUERY_FAILED',
        `${message}${ctx.sql ? ` (SQL: ${shorten(ctx.sql)})` : ''}`,
        {
          cause: err,
        },
      );
  }
}

export function corruptError(file: string, detail: string, cause?: unknown): NovaError {
  return new NovaError('DB_CORRUPT', `${file} is damaged: ${detail}.`, {
    fix: 'Restore it from a backup, or move it aside so a fresh database is created (`sqlite3 <file> .recover` can salvage readable rows).',
    cause,
  });
}

export function dataDirError(dir: string, cause: unknown): NovaError {
  const reason =
    (cause as { code?: string } | null)?.code ??
    (cause instanceof Error ? cause.message : String(cause));
  return new NovaError(
    'DATA_DIR_NOT_WRITABLE',
    `Cannot create or write the data directory ${dir} (${reason}).`,
    {
      fix: DATA_DIR_FIX,
      cause,
    },
  );
}

function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
