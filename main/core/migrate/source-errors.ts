/**
 * NovaErrors for a legacy source file, worded for the person migrating it:
 * each says what is wrong with which file and what to do next. Shared by
 * preflight (the source) and inspect (the snapshot).
 */
import { NovaError } from '../errors.js';
import { primarySqliteCode } from '../stores/sqlite/sqlite-errors.js';

const POINT_AT_LEGACY =
  'Point the migration at the legacy log.sqlite that the old Nova API wrote (it lives in the API working directory, usually nova-api/log.sqlite).';

export const CORRUPT_FIX =
  'Restore log.sqlite from a backup and migrate that copy; or salvage the readable rows with `sqlite3 log.sqlite .recover | sqlite3 recovered.sqlite` and migrate recovered.sqlite.';

export function missingError(file: string, cause?: unknown): NovaError {
  return new NovaError('DB_MISSING', `No legacy database at ${file}: the file does not exist.`, {
    fix: POINT_AT_LEGACY,
    cause,
  });
}

export function unreadableError(file: string, cause: unknown): NovaError {
  const reason = (cause as { code?: string } | null)?.code ?? String(cause);
  return new NovaError(
    'DB_MISSING',
    `The legacy database ${file} cannot be read by this user (${reason}).`,
    {
      fix: `Give this user read access to ${file} (and to its -wal file, if there is one), or copy the file somewhere readable and migrate the copy.`,
      cause,
    },
  );
}

export function notSqliteError(file: string, what: string, fix?: string): NovaError {
  return new NovaError('NOT_SQLITE', `${file} ${what}`, { fix: fix ?? POINT_AT_LEGACY });
}

/** `fileKind` from file-kind.ts: what the file seems to be, never a quote of it. */
export function encryptedOrForeignError(file: string, fileKind: string): NovaError {
  return notSqliteError(
    file,
    `is not a SQLite database, or it is encrypted (SQLCipher): it does not start with the "SQLite format 3" header (it looks like ${fileKind}).`,
    `If the file is encrypted, decrypt it first (with sqlcipher: PRAGMA key = '…'; ATTACH 'plain.sqlite' AS plain KEY ''; SELECT sqlcipher_export('plain');) and migrate the decrypted copy. Otherwise: ${POINT_AT_LEGACY}`,
  );
}

export function corruptSourceError(file: string, detail: string, cause?: unknown): NovaError {
  return new NovaError('DB_CORRUPT', `${file} is damaged: ${detail}`, { fix: CORRUPT_FIX, cause });
}

export function lockedError(file: string, waitedMs: number, cause?: unknown): NovaError {
  return new NovaError(
    'DB_LOCKED',
    `${file} is locked by another program: it did not release its exclusive lock within ${waitedMs} ms.`,
    {
      fix: 'A legacy server that is only running does not block the migration; something holds an exclusive lock (a long write transaction, a sqlite3 shell, a backup or VACUUM). Let it finish or stop it for a moment, then retry — or raise the wait with the busy-timeout option.',
      cause,
    },
  );
}

export function workDirError(dir: string, cause: unknown): NovaError {
  const reason =
    (cause as { code?: string } | null)?.code ??
    (cause instanceof Error ? cause.message : String(cause));
  return new NovaError(
    'DATA_DIR_NOT_WRITABLE',
    `Cannot write the migration work directory ${dir} (${reason}).`,
    {
      fix: 'Choose a work directory on a disk with free space that this user can write (the snapshot needs about the size of the source file).',
      cause,
    },
  );
}

/** Maps an error SQLite raised while reading `file`; `busyMs` is how long it waited for locks. */
export function mapSourceSqliteError(err: unknown, file: string, busyMs: number): NovaError {
  if (err instanceof NovaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  switch (primarySqliteCode(err)) {
    case 'SQLITE_NOTADB':
      return notSqliteError(
        file,
        `is not a SQLite database, or it is encrypted (SQLite says: ${message}).`,
        'If the file is encrypted (SQLCipher), decrypt it first and migrate the decrypted copy.',
      );
    case 'SQLITE_CORRUPT':
      return corruptSourceError(file, `SQLite reports "${message}".`, err);
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return lockedError(file, busyMs, err);
    case 'SQLITE_FULL':
      return new NovaError(
        'DATA_DIR_NOT_WRITABLE',
        `The disk is full while copying ${file}: ${message}.`,
        {
          fix: 'Free disk space in the migration work directory, or choose one on a larger disk.',
          cause: err,
        },
      );
    default:
      return new NovaError('QUERY_FAILED', `Reading ${file} failed: ${message}.`, { cause: err });
  }
}
