/**
 * Opening the SQLite file: create its directory, apply the connection
 * settings, and prove the file is a healthy database right away, so a wrong,
 * damaged or locked file fails at start-up with a clear NovaError rather than
 * on some later query.
 */
import {
  accessSync,
  chmodSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { NovaError } from '../../errors.js';
import { corruptError, dataDirError, mapSqliteError } from './sqlite-errors.js';

export interface SqliteOpenOptions {
  /** How long a statement waits for another connection's lock before failing with DB_LOCKED. */
  busyTimeoutMs: number;
  /** Open without write access; the file must already exist. */
  readonly?: boolean;
  /**
   * What open() reads to prove the file is a healthy database. `quick_check`
   * (default) visits every page, so damage anywhere is reported at once;
   * `schema` only reads the schema, for very large files where a full scan at
   * every start would be too slow.
   */
  openCheck?: 'quick_check' | 'schema';
  /** health() repeats `PRAGMA quick_check` at most this often (default 10 minutes; 0 = every call). */
  integrityCheckIntervalMs?: number;
}

/** Opens `file` (`:memory:` allowed) with WAL, busy_timeout, foreign keys and synchronous=NORMAL. */
export function openDatabaseFile(
  file: string,
  opts: SqliteOpenOptions,
): { db: Database.Database; path: string } {
  if (!Number.isInteger(opts.busyTimeoutMs) || opts.busyTimeoutMs < 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `busyTimeoutMs must be a non-negative integer, got ${String(opts.busyTimeoutMs)}.`,
      {
        fix: 'Set SQLITE_BUSY_TIMEOUT_MS to a whole number of milliseconds, e.g. 5000.',
      },
    );
  }
  const inMemory = file === ':memory:';
  const path = inMemory ? file : resolve(file);
  const readonly = opts.readonly === true;
  if (!inMemory) prepareLocation(path, readonly);

  const ctx = { file: path, busyTimeoutMs: opts.busyTimeoutMs };
  const isNew = !inMemory && !existsSync(path);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: opts.busyTimeoutMs });
  } catch (err) {
    throw mapSqliteError(err, ctx);
  }
  // The database holds password hashes and secrets from `config` (docs/ARCHITECTURE.md#security):
  // a file we create is readable by its owner only.
  if (isNew) chmodSync(path, 0o600);
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs}`);
    // Switching to WAL reads the header first, so a file that is not SQLite fails right here.
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (opts.openCheck === 'schema') {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } else {
      const problems = quickCheck(db);
      if (problems.length > 0) throw corruptError(path, problems.slice(0, 3).join('; '));
    }
  } catch (err) {
    db.close();
    throw mapSqliteError(err, ctx);
  }
  return { db, path };
}

/** `PRAGMA quick_check` findings; empty when the database is sound. */
export function quickCheck(db: Database.Database): string[] {
  const rows = db.prepare('PRAGMA quick_check').all() as Array<{ quick_check: string }>;
  return rows.map((r) => r.quick_check).filter((msg) => msg !== 'ok');
}

/** Creates the data directory and checks it is writable before SQLite gives a vaguer CANTOPEN. */
function prepareLocation(path: string, readonly: boolean): void {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new NovaError('NOT_SQLITE', `${path} is a directory, not a SQLite database file.`, {
      fix: 'Point SQLITE_FILE at a file path (e.g. <NOVA_DATA_DIR>/nova.sqlite), not a directory.',
    });
  }
  if (readonly) {
    if (!existsSync(path)) {
      throw new NovaError(
        'DB_MISSING',
        `${path} does not exist, so it cannot be opened read-only.`,
        {
          fix: 'Check the path (SQLITE_FILE / NOVA_DATA_DIR), or open it writable so it is created.',
        },
      );
    }
    return;
  }
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, fsConstants.W_OK);
  } catch (err) {
    throw dataDirError(dir, err);
  }
}
