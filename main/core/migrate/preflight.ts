/**
 * Preflight (main/core/migrate/README.md#preflight): check the legacy file and take the snapshot every
 * later phase reads, so the legacy server can keep running and the source is
 * read exactly once.
 *
 * 1. Refuse early, with a precise message, what is not a database: a missing
 *    path, a directory, an empty file, a text file, a file without the SQLite
 *    header (often SQLCipher-encrypted), a file cut shorter than its header says.
 * 2. Open the source read-only. SQLite reads a WAL database read-only only if
 *    its -shm/-wal exist or can be created; in a read-only directory they
 *    cannot, and a hot rollback journal cannot be rolled back read-only. For
 *    those cases the file and its -wal/-journal (never the -shm, which SQLite
 *    rebuilds) are copied into the work directory — retried until the copy is
 *    stable — and the copy is opened instead. (`?immutable=1` would avoid the
 *    copy, but better-sqlite3 is built with URI filenames off, and immutable
 *    mode ignores the WAL and disables locking, so it could read torn pages.)
 * 3. Snapshot with SQLite's online backup API, inside one read transaction:
 *    the snapshot is the database as of that instant, including rows that are
 *    still only in the WAL, and — in WAL mode — a writer keeps writing
 *    meanwhile. (Backup steps outside a transaction would restart whenever the
 *    legacy server commits.) An exclusive lock held longer than the busy
 *    timeout is DB_LOCKED.
 * 4. `PRAGMA integrity_check` on the snapshot (not the source, so the legacy
 *    server is not slowed); a damaged file is DB_CORRUPT with SQLite's first
 *    findings.
 */
import { constants } from 'node:fs';
import { access, chmod, copyFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createPrivateFile, makePrivateDir, PRIVATE_FILE_MODE } from '../config/private-files.js';
import { primarySqliteCode } from '../stores/sqlite/sqlite-errors.js';
import { formatSqliteVersionNumber, probeHeader } from './sqlite-header.js';
import {
  corruptSourceError,
  encryptedOrForeignError,
  lockedError,
  mapSourceSqliteError,
  missingError,
  notSqliteError,
  unreadableError,
  workDirError,
} from './source-errors.js';

export interface PreflightOptions {
  /** How long to wait for another program's exclusive lock (ms); default 5000. */
  busyTimeoutMs?: number;
  /** File name of the snapshot inside the work directory; default `snapshot.sqlite`. */
  snapshotName?: string;
  /** Pages copied per backup step; smaller steps keep the event loop responsive. Default 1024. */
  pagesPerStep?: number;
  onProgress?: (progress: { phase: 'snapshot' | 'integrity'; done: number; total: number }) => void;
  /** Aborting stops the snapshot; preflight then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What preflight learnt about the source. Plain data. */
export interface SourceInfo {
  file: string;
  size: number;
  pageSize: number;
  /** Pages in the database as read (main file plus committed WAL frames). */
  pageCount: number;
  /** `wal` or a rollback-journal mode (`delete`, …). */
  journalMode: string;
  /** A non-empty -wal file sat next to the source: its committed rows are in the snapshot. */
  hasWal: boolean;
  walSize: number;
  /** Frames in the -wal file (including frames already checkpointed). */
  walFrames: number;
  hasJournal: boolean;
  /** SQLite library that took the snapshot. */
  sqliteVersion: string;
  /** SQLite version that last wrote the source, from its header. */
  writtenBySqliteVersion: string;
  textEncoding: string;
  userVersion: number;
  integrity: 'ok';
  /** 'copy': the source could not be opened read-only in place and was copied first (see warnings). */
  openedVia: 'read-only' | 'copy';
  warnings: string[];
  snapshotSize: number;
}

export interface PreflightResult {
  snapshotFile: string;
  sourceInfo: SourceInfo;
}

const DEFAULT_BUSY_MS = 5000;
const COMPANIONS = ['-wal', '-journal'] as const;

export async function preflight(
  sourceFile: string,
  workDir: string,
  options: PreflightOptions = {},
): Promise<PreflightResult> {
  const file = resolve(sourceFile);
  const busyMs = options.busyTimeoutMs ?? DEFAULT_BUSY_MS;
  options.signal?.throwIfAborted();

  const size = await checkFile(file);
  const header = await checkHeader(file, size);
  await prepareWorkDir(workDir);

  // Measured before the snapshot: what was in the WAL when the snapshot began is in the snapshot.
  const wal = await sizeOf(`${file}-wal`);
  const journal = await sizeOf(`${file}-journal`);
  const warnings: string[] = [];
  const source = await openSource(file, workDir, busyMs, warnings);
  const snapshotFile = join(resolve(workDir), options.snapshotName ?? 'snapshot.sqlite');
  const partial = `${snapshotFile}.partial`;
  let journalMode: string;
  let pageCount: number;
  try {
    await removeDatabaseFiles(partial);
    // Created 0600 before SQLite writes a page into it; SQLite gives its
    // journal the database file's mode, so that stays private too.
    await createPrivateFile(partial);
    journalMode = source.db.pragma('journal_mode', { simple: true }) as string;
    // One read transaction for the whole backup: a consistent instant, no restarts.
    source.db.exec('BEGIN');
    pageCount = source.db.pragma('page_count', { simple: true }) as number;
    await source.db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        options.signal?.throwIfAborted();
        options.onProgress?.({
          phase: 'snapshot',
          done: totalPages - remainingPages,
          total: totalPages,
        });
        return options.pagesPerStep ?? 1024;
      },
    });
    source.db.exec('COMMIT');
  } catch (err) {
    await removeDatabaseFiles(partial);
    if (options.signal?.aborted) throw options.signal.reason;
    throw mapSourceSqliteError(err, file, busyMs);
  } finally {
    source.db.close();
    await source.cleanup();
  }

  try {
    options.onProgress?.({ phase: 'integrity', done: 0, total: 1 });
    checkSnapshot(partial, file);
    options.onProgress?.({ phase: 'integrity', done: 1, total: 1 });
    await removeDatabaseFiles(snapshotFile);
    await rename(partial, snapshotFile);
  } catch (err) {
    await removeDatabaseFiles(partial);
    throw mapSourceSqliteError(err, file, busyMs);
  }

  return {
    snapshotFile,
    sourceInfo: {
      file,
      size,
      pageSize: header.pageSize,
      pageCount,
      journalMode,
      hasWal: wal > 0,
      walSize: wal,
      walFrames: wal > 32 ? Math.floor((wal - 32) / (header.pageSize + 24)) : 0,
      hasJournal: journal > 0,
      sqliteVersion: sqliteLibraryVersion(),
      writtenBySqliteVersion: formatSqliteVersionNumber(header.writtenBy),
      textEncoding: header.textEncoding,
      userVersion: header.userVersion,
      integrity: 'ok',
      openedVia: source.openedVia,
      warnings,
      snapshotSize: await sizeOf(snapshotFile),
    },
  };
}

/** The path must be a readable, non-empty regular file; returns its size. */
async function checkFile(file: string): Promise<number> {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw missingError(file, err);
    throw unreadableError(file, err);
  }
  if (st.isDirectory()) {
    throw notSqliteError(
      file,
      'is a directory, not a database file.',
      `Point the migration at the log.sqlite file inside ${file}.`,
    );
  }
  if (!st.isFile()) throw notSqliteError(file, 'is not a regular file (a device, socket or pipe).');
  if (st.size === 0) {
    throw notSqliteError(
      file,
      'is empty (0 bytes): there is no data in it to migrate.',
      'SQLite leaves an empty file when it is opened at a path that held no database, so the old API may have been using a different file. Find the log.sqlite that holds the data (it is usually tens of KB or more) and migrate that one.',
    );
  }
  return st.size;
}

async function checkHeader(file: string, size: number) {
  let probe;
  try {
    probe = await probeHeader(file);
  } catch (err) {
    throw unreadableError(file, err);
  }
  switch (probe.kind) {
    case 'empty':
      throw notSqliteError(file, 'is empty (0 bytes): there is no data in it to migrate.');
    case 'foreign':
      if (probe.text) {
        throw notSqliteError(
          file,
          `is ${probe.fileKind}, not a SQLite database.`,
          'If it is an SQL dump (.sql), load it into a database first — `sqlite3 restored.sqlite < dump.sql` — and migrate restored.sqlite. Otherwise point the migration at the legacy log.sqlite.',
        );
      }
      throw encryptedOrForeignError(file, probe.fileKind);
    case 'damaged-header':
      throw corruptSourceError(file, `${probe.detail}.`);
    case 'sqlite': {
      const h = probe.header;
      const expected = h.pageCount * h.pageSize;
      if (h.pageCountValid && expected > size) {
        throw corruptSourceError(
          file,
          `it is truncated: its header says ${h.pageCount} pages of ${h.pageSize} bytes (${expected} bytes), but the file has only ${size} bytes — typically an interrupted copy or a full disk.`,
        );
      }
      return h;
    }
  }
}

/**
 * The work directory receives a full copy of the legacy database (admin PINs,
 * password hashes): 0700, tightened when it already existed wider.
 */
async function prepareWorkDir(dir: string): Promise<void> {
  try {
    await makePrivateDir(dir);
    await access(dir, constants.W_OK);
  } catch (err) {
    throw workDirError(dir, err);
  }
}

interface OpenSource {
  db: Database.Database;
  openedVia: SourceInfo['openedVia'];
  cleanup: () => Promise<void>;
}

/** Errors a read-only open in place can hit that a private copy avoids (see the header comment). */
function copyHelps(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    primarySqliteCode(err) === 'SQLITE_CANTOPEN' ||
    (typeof code === 'string' && code.startsWith('SQLITE_READONLY'))
  );
}

async function openSource(
  file: string,
  workDir: string,
  busyMs: number,
  warnings: string[],
): Promise<OpenSource> {
  try {
    return {
      db: openAndTouch(file, { readonly: true, fileMustExist: true, timeout: busyMs }),
      openedVia: 'read-only',
      cleanup: async () => {},
    };
  } catch (err) {
    if (!copyHelps(err)) throw mapSourceSqliteError(err, file, busyMs);
    const code = (err as { code?: string }).code;
    const copyDir = join(workDir, 'source-copy');
    const copy = await copyStable(file, copyDir, busyMs);
    warnings.push(
      `SQLite could not read ${file} in place without writing next to it (${code}: the directory is read-only or a rollback journal is pending); the file and its -wal/-journal were copied into the work directory and the snapshot was taken from that copy.`,
    );
    try {
      // Read-write on our own copy, so SQLite can replay its WAL or roll back its journal.
      return {
        db: openAndTouch(copy, { fileMustExist: true, timeout: busyMs }),
        openedVia: 'copy',
        cleanup: () => rm(copyDir, { recursive: true, force: true }),
      };
    } catch (err2) {
      await rm(copyDir, { recursive: true, force: true });
      throw mapSourceSqliteError(err2, file, busyMs);
    }
  }
}

/** Opens and reads the schema, so "not a database", locks and corruption surface here. */
function openAndTouch(file: string, options: Database.Options): Database.Database {
  const db = new Database(file, options);
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Copies the file and its -wal/-journal until two fingerprints around the copy agree. */
async function copyStable(file: string, dir: string, busyMs: number): Promise<string> {
  const dest = join(dir, basename(file));
  for (let attempt = 0; attempt < 5; attempt++) {
    await rm(dir, { recursive: true, force: true });
    await makePrivateDir(dir).catch((err: unknown) => {
      throw workDirError(dir, err);
    });
    const before = await fingerprint(file);
    // copyFile gives the copy the source's mode (often 0644); the 0700
    // directory keeps it out of reach until it is made 0600 too.
    await copyFile(file, dest).catch((err: unknown) => {
      throw unreadableError(file, err);
    });
    await chmod(dest, PRIVATE_FILE_MODE);
    for (const suffix of COMPANIONS) {
      if ((await sizeOf(file + suffix)) > 0) {
        await copyFile(file + suffix, dest + suffix);
        await chmod(dest + suffix, PRIVATE_FILE_MODE);
      }
    }
    if ((await fingerprint(file)) === before) return dest;
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
  }
  await rm(dir, { recursive: true, force: true });
  throw lockedError(file, busyMs);
}

async function fingerprint(file: string): Promise<string> {
  const parts = await Promise.all(
    ['', ...COMPANIONS].map(async (suffix) => {
      const st = await stat(file + suffix).catch(() => null);
      return st ? `${st.size}:${st.mtimeMs}` : '-';
    }),
  );
  return parts.join('|');
}

/** Integrity of the snapshot, and a single self-contained file (rollback journal, no -wal). */
function checkSnapshot(snapshot: string, source: string): void {
  const db = new Database(snapshot, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
    const findings = db.prepare('PRAGMA integrity_check(20)').pluck().all() as string[];
    if (findings.length !== 1 || findings[0] !== 'ok') {
      const shown = findings
        .slice(0, 5)
        .map((f) => `"${f}"`)
        .join('; ');
      throw corruptSourceError(
        source,
        `PRAGMA integrity_check found ${findings.length >= 20 ? '20 or more' : findings.length} problem(s), first: ${shown}.`,
      );
    }
  } finally {
    db.close();
  }
}

async function removeDatabaseFiles(file: string): Promise<void> {
  await Promise.all(['', '-wal', '-shm', '-journal'].map((s) => rm(file + s, { force: true })));
}

async function sizeOf(file: string): Promise<number> {
  const st = await stat(file).catch(() => null);
  return st?.size ?? 0;
}

let libraryVersion: string | undefined;
function sqliteLibraryVersion(): string {
  if (libraryVersion === undefined) {
    const db = new Database(':memory:');
    libraryVersion = db.prepare('SELECT sqlite_version()').pluck().get() as string;
    db.close();
  }
  return libraryVersion;
}
