/**
 * The SQLite part of a backup (embedded profile): a consistent snapshot
 * through SQLite's online backup API — writers keep going while it runs —
 * then gzip (and encryption) into `sqlite.db.gz`.
 *
 * Restore never touches the live file until the copy is proven: the part is
 * unpacked next to the target, integrity-checked and compared with the
 * manifest, and only then renamed over the target in one atomic step.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NovaError } from '../../errors.js';
import { compareContents, sqliteContentChecksums } from '../content-checksum.js';
import type { ManifestPart } from '../manifest.js';
import { extractPart, fsyncDir, fsyncPath, writePart } from '../part-files.js';
import type { PartJobOptions, StagedRestore } from '../part-types.js';

export const SQLITE_PART = 'sqlite.db.gz';

export interface SqliteTarget {
  /** The database file (SQLITE_FILE). */
  file: string;
}

function openOrExplain(file: string, options: Database.Options): Database.Database {
  try {
    return new Database(file, options);
  } catch (err) {
    throw new NovaError(
      'DB_CORRUPT',
      `Cannot open the SQLite database ${file}: ${(err as Error).message}`,
      {
        fix: 'Check that the file is a SQLite database Nova can read.',
        cause: err,
      },
    );
  }
}

/**
 * A copy of a WAL database says "WAL" in its header, and opening it would
 * create -wal/-shm files beside it that a rename would leave behind. A copy
 * is a single file in rollback-journal mode; the store switches the live
 * database back to WAL when it opens it.
 */
function leaveWal(db: Database.Database): void {
  db.pragma('journal_mode = DELETE');
}

function integrityProblems(db: Database.Database): string[] {
  const rows = db.prepare('PRAGMA integrity_check').pluck().all() as string[];
  return rows.filter((r) => r !== 'ok');
}

export async function backupSqlite(
  target: SqliteTarget,
  dir: string,
  options: PartJobOptions = {},
): Promise<ManifestPart> {
  if (!existsSync(target.file)) {
    throw new NovaError('DB_MISSING', `There is no SQLite database at ${target.file} to back up.`, {
      fix: 'Check SQLITE_FILE and NOVA_DATA_DIR, or start Nova once so it creates the database.',
    });
  }
  const snapshot = path.join(dir, 'sqlite.snapshot.db');
  const source = openOrExplain(target.file, { fileMustExist: true, timeout: 5_000 });
  let version: string;
  try {
    version = source.prepare('SELECT sqlite_version()').pluck().get() as string;
    await source.backup(snapshot, {
      progress: ({ totalPages, remainingPages }) => {
        options.onProgress?.('snapshot', totalPages - remainingPages, totalPages);
        // Throwing is how better-sqlite3 lets a backup be abandoned half-way.
        options.signal?.throwIfAborted();
        // Small steps let other connections write in between (the API restarts on their changes).
        return 1024;
      },
    });
  } finally {
    source.close();
  }
  options.signal?.throwIfAborted();
  // Checksums come from the snapshot itself, so they describe exactly what is in the part.
  const snap = openOrExplain(snapshot, { fileMustExist: true });
  let tables;
  try {
    leaveWal(snap);
    const problems = integrityProblems(snap);
    if (problems.length > 0) {
      throw new NovaError(
        'DB_CORRUPT',
        `The SQLite database ${target.file} is damaged: ${problems.slice(0, 3).join('; ')}`,
        {
          fix: 'Restore an earlier backup, or repair the database (sqlite3 .recover) before backing it up.',
        },
      );
    }
    tables = sqliteContentChecksums(snap);
  } finally {
    snap.close();
  }
  options.onProgress?.(SQLITE_PART, 0, null);
  const written = await writePart(dir, createReadStream(snapshot), {
    partName: SQLITE_PART,
    gzip: true,
    ...(options.key ? { key: options.key } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await rm(snapshot, { force: true });
  return {
    name: SQLITE_PART,
    service: 'sqlite',
    format: 'sqlite-gzip',
    ...written,
    source: `SQLite ${target.file}`,
    serverVersion: version,
    tool: 'SQLite online backup API (better-sqlite3)',
    tables,
    notes: [],
  };
}

/** Unpacks the part to `dest` and proves it: integrity check plus the manifest's row counts and checksums. */
async function unpackAndCheck(
  backupPath: string,
  part: ManifestPart,
  dest: string,
  where: string,
  options: PartJobOptions,
): Promise<void> {
  await extractPart(backupPath, part, dest, where, {
    gunzip: true,
    ...(options.key ? { key: options.key } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const db = openOrExplain(dest, { fileMustExist: true });
  try {
    leaveWal(db);
    const problems = integrityProblems(db);
    const diff =
      problems.length > 0
        ? problems.slice(0, 3)
        : compareContents(part.tables, sqliteContentChecksums(db));
    if (diff.length > 0) {
      throw new NovaError(
        'BACKUP_CORRUPT',
        `${where}: the SQLite part does not match its manifest (${diff.slice(0, 3).join('; ')}).`,
        {
          fix: 'This backup cannot be trusted; use another backup.',
        },
      );
    }
  } finally {
    db.close();
  }
}

/** Verify's trial restore: unpack into `workDir`, check, delete. */
export async function trialRestoreSqlite(
  backupPath: string,
  part: ManifestPart,
  workDir: string,
  where: string,
  options: PartJobOptions = {},
): Promise<void> {
  const dest = path.join(workDir, 'sqlite.trial.db');
  try {
    await unpackAndCheck(backupPath, part, dest, where, options);
  } finally {
    await rm(dest, { force: true });
  }
}

/**
 * Refuses when another connection has the database open: leaving WAL mode
 * needs exclusive access, so it fails with SQLITE_BUSY exactly then. It also
 * checkpoints the WAL, so no stale `-wal` file can be replayed onto the
 * restored database.
 */
function takeOverTarget(file: string): void {
  if (!existsSync(file)) return;
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
  } catch {
    // An unreadable or damaged target is exactly what a restore is for; nothing to take over.
    return;
  }
  try {
    db.pragma('journal_mode = DELETE');
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new NovaError(
        'DB_LOCKED',
        `The SQLite database ${file} is in use by another process, so it cannot be replaced.`,
        {
          fix: 'Stop Nova (quit the app or stop nova-db serve) and run the restore again.',
          cause: err,
        },
      );
    }
    // Damaged beyond changing modes: it is going to be replaced anyway.
  } finally {
    db.close();
  }
}

/**
 * Unpacks and checks the part next to the target file (same file system, so
 * the final rename is atomic). The live database is untouched until commit.
 * The data layer must be closed before commit.
 */
export async function stageSqliteRestore(
  backupPath: string,
  part: ManifestPart,
  target: SqliteTarget,
  where: string,
  options: PartJobOptions = {},
): Promise<StagedRestore> {
  const dir = path.dirname(target.file);
  await mkdir(dir, { recursive: true });
  // Fail before the long work if the database is in use; commit checks again.
  takeOverTarget(target.file);
  const staged = path.join(
    dir,
    `.${path.basename(target.file)}.restore-${randomBytes(4).toString('hex')}`,
  );
  try {
    await unpackAndCheck(backupPath, part, staged, where, options);
  } catch (err) {
    await rm(staged, { force: true });
    throw err;
  }
  return {
    target: `SQLite ${target.file}`,
    commit: async () => {
      takeOverTarget(target.file);
      await fsyncPath(staged);
      await rename(staged, target.file);
      // After journal_mode=DELETE there are none; a crash-left pair would belong to the old file.
      await rm(`${target.file}-wal`, { force: true });
      await rm(`${target.file}-shm`, { force: true });
      await fsyncDir(dir);
    },
    discard: () => rm(staged, { force: true }),
  };
}
