import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NovaError, type ErrorCode } from '../../../main/core/errors.js';
import { preflight } from '../../../main/core/migrate/preflight.js';
import { generateLegacyDatabase, WAL_ONLY_LOGS } from '../../fixtures/legacy-db-generator.js';

let root: string;
let legacy: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'nova-preflight-'));
  legacy = generateLegacyDatabase(join(root, 'legacy.sqlite'), {
    users: 20,
    logs: 3000,
    quirks: true,
  }).file;
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
const fresh = (): string => {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  return dir;
};

async function refusal(
  file: string,
  workDir = fresh(),
  busyTimeoutMs?: number,
): Promise<NovaError> {
  const err = await preflight(
    file,
    workDir,
    busyTimeoutMs === undefined ? {} : { busyTimeoutMs },
  ).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NovaError);
  return err as NovaError;
}

function expectRefusal(err: NovaError, code: ErrorCode, message: RegExp, fix: RegExp): void {
  expect(err.code).toBe(code);
  expect(err.message).toMatch(message);
  expect(err.fix).toMatch(fix);
}

/** A node process running `script` with better-sqlite3; resolves once it prints "ready". */
function holder(script: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `const Database = require('better-sqlite3');\n${script}`],
    {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`holder exited early (${code})`)));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
  });
}

describe('preflight refuses what is not a usable SQLite file', () => {
  it('a missing file: DB_MISSING naming the path', async () => {
    const missing = join(root, 'nope', 'log.sqlite');
    const err = await refusal(missing);
    expectRefusal(err, 'DB_MISSING', /No legacy database at .*nope\/log\.sqlite/, /log\.sqlite/);
  });

  it('a directory: NOT_SQLITE', async () => {
    expectRefusal(await refusal(root), 'NOT_SQLITE', /is a directory/, /log\.sqlite file inside/);
  });

  it('a zero-length file: NOT_SQLITE, empty', async () => {
    const empty = join(fresh(), 'empty.sqlite');
    writeFileSync(empty, '');
    expectRefusal(
      await refusal(empty),
      'NOT_SQLITE',
      /is empty \(0 bytes\)/,
      /Find the log\.sqlite that holds the data/,
    );
  });

  it('a text file: NOT_SQLITE, says it is text and what to do with a dump', async () => {
    const text = join(fresh(), 'dump.sql');
    writeFileSync(text, 'CREATE TABLE users (id INTEGER);\nINSERT INTO users VALUES (1);\n');
    expectRefusal(
      await refusal(text),
      'NOT_SQLITE',
      /is an SQL script \(a text dump\), not a SQLite database\.$/,
      /sqlite3 restored\.sqlite < dump\.sql/,
    );
  });

  it('random bytes (what an encrypted SQLCipher file looks like): NOT_SQLITE, decrypt first', async () => {
    const enc = join(fresh(), 'encrypted.sqlite');
    writeFileSync(enc, randomBytes(8192));
    expectRefusal(
      await refusal(enc),
      'NOT_SQLITE',
      /not a SQLite database, or it is encrypted \(SQLCipher\)/,
      /decrypt it first/,
    );
  });

  it('a header cut short: DB_CORRUPT', async () => {
    const short = join(fresh(), 'short.sqlite');
    writeFileSync(short, readFileSync(legacy).subarray(0, 60));
    expectRefusal(
      await refusal(short),
      'DB_CORRUPT',
      /only 60 bytes, shorter than the 100-byte SQLite header/,
      /backup/,
    );
  });

  it('a truncated file (a real database cut in half): DB_CORRUPT, truncated', async () => {
    const half = join(fresh(), 'half.sqlite');
    const bytes = readFileSync(legacy);
    writeFileSync(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectRefusal(
      await refusal(half),
      'DB_CORRUPT',
      /is truncated: its header says \d+ pages of 4096 bytes/,
      /\.recover/,
    );
  });

  it('garbage written into the middle pages: DB_CORRUPT with integrity_check findings', async () => {
    const dir = fresh();
    const bad = join(dir, 'garbage.sqlite');
    copyFileSync(legacy, bad);
    const pages = statSync(bad).size / 4096;
    const fd = openSync(bad, 'r+');
    for (let p = Math.floor(pages / 3); p < Math.floor((2 * pages) / 3); p++)
      writeSync(fd, randomBytes(4096), 0, 4096, p * 4096);
    closeSync(fd);
    const err = await refusal(bad, join(dir, 'work'));
    expectRefusal(
      err,
      'DB_CORRUPT',
      /garbage\.sqlite is damaged: (PRAGMA integrity_check found .* problem|SQLite reports)/,
      /Restore log\.sqlite from a backup/,
    );
    // No half-made snapshot is left behind.
    expect(readdirSync(join(dir, 'work')).filter((f) => f.startsWith('snapshot'))).toEqual([]);
  });

  it('a work directory that cannot be created: DATA_DIR_NOT_WRITABLE', async () => {
    const blocker = join(fresh(), 'file');
    writeFileSync(blocker, 'x');
    expectRefusal(
      await refusal(legacy, join(blocker, 'work')),
      'DATA_DIR_NOT_WRITABLE',
      /Cannot write the migration work directory/,
      /free space/,
    );
  });

  it('a source held under an exclusive lock longer than the timeout: DB_LOCKED', async () => {
    const dir = fresh();
    const locked = join(dir, 'locked.sqlite');
    copyFileSync(legacy, locked);
    await holder(
      `const db = new Database(${JSON.stringify(locked)}); db.exec('BEGIN EXCLUSIVE'); db.exec("DELETE FROM logs"); console.log('ready'); setInterval(() => {}, 1000);`,
    );
    const started = Date.now();
    const err = await refusal(locked, join(dir, 'work'), 300);
    expect(Date.now() - started).toBeLessThan(5000);
    expectRefusal(
      err,
      'DB_LOCKED',
      /locked by another program: it did not release its exclusive lock within 300 ms/,
      /retry/,
    );
  });
});

describe('preflight snapshots', () => {
  it('takes a self-contained, checked snapshot and describes the source', async () => {
    const work = fresh();
    const { snapshotFile, sourceInfo } = await preflight(legacy, work);
    expect(snapshotFile).toBe(join(work, 'snapshot.sqlite'));
    expect(sourceInfo).toMatchObject({
      file: legacy,
      size: statSync(legacy).size,
      pageSize: 4096,
      journalMode: 'delete',
      hasWal: false,
      walFrames: 0,
      integrity: 'ok',
      openedVia: 'read-only',
      warnings: [],
      textEncoding: 'UTF-8',
    });
    expect(sourceInfo.sqliteVersion).toMatch(/^3\.\d+\.\d+$/);
    expect(sourceInfo.writtenBySqliteVersion).toBe(sourceInfo.sqliteVersion);
    const snap = new Database(snapshotFile, { readonly: true });
    expect(snap.prepare('SELECT count(*) FROM logs').pluck().get()).toBe(3008);
    expect(snap.pragma('journal_mode', { simple: true })).toBe('delete');
    snap.close();
    expect(readdirSync(work)).toEqual(['snapshot.sqlite']);
  });

  it('includes rows that are only in the WAL file, and leaves the source as it was', async () => {
    const dir = fresh();
    const g = generateLegacyDatabase(join(dir, 'wal.sqlite'), {
      users: 3,
      logs: 100,
      walRows: true,
    });
    const walBefore = readFileSync(`${g.file}-wal`);
    const { snapshotFile, sourceInfo } = await preflight(g.file, join(dir, 'work'));
    expect(sourceInfo).toMatchObject({ journalMode: 'wal', hasWal: true, openedVia: 'read-only' });
    expect(sourceInfo.walFrames).toBeGreaterThan(0);
    const snap = new Database(snapshotFile, { readonly: true });
    expect(
      snap.prepare("SELECT count(*) FROM logs WHERE ticket_id LIKE 'WAL-%'").pluck().get(),
    ).toBe(WAL_ONLY_LOGS);
    expect(snap.prepare('SELECT count(*) FROM logs').pluck().get()).toBe(g.rowCounts.logs);
    expect(snap.pragma('journal_mode', { simple: true })).toBe('delete');
    snap.close();
    expect(existsSync(join(dir, 'work', 'snapshot.sqlite-wal'))).toBe(false);
    // Read-only: the WAL was neither checkpointed nor removed.
    expect(readFileSync(`${g.file}-wal`).equals(walBefore)).toBe(true);
  });

  it('snapshots a consistent instant while another process keeps writing (WAL)', async () => {
    const dir = fresh();
    const live = join(dir, 'live.sqlite');
    copyFileSync(legacy, live);
    const wal = new Database(live);
    wal.pragma('journal_mode = WAL');
    wal.close();
    // The "legacy server": inserts a ticket every millisecond, 20 per transaction.
    await holder(
      `const db = new Database(${JSON.stringify(live)}); db.pragma('busy_timeout = 5000');
       const ins = db.prepare("INSERT INTO logs (ticket_id, title) VALUES ('LIVE', 'concurrent')");
       const batch = db.transaction(() => { for (let i = 0; i < 20; i++) ins.run(); });
       setInterval(batch, 1); setTimeout(() => console.log('ready'), 100);`,
    );
    const { snapshotFile } = await preflight(live, join(dir, 'work'), { pagesPerStep: 4 });
    const snap = new Database(snapshotFile, { readonly: true });
    const live1 = snap
      .prepare("SELECT count(*) FROM logs WHERE ticket_id = 'LIVE'")
      .pluck()
      .get() as number;
    snap.close();
    // A whole number of the writer's transactions: the snapshot never sees half of one.
    expect(live1 % 20).toBe(0);
    expect(live1).toBeGreaterThan(0);
    // The writer was not blocked: it committed more rows after the snapshot.
    await new Promise((r) => setTimeout(r, 100));
    const reader = new Database(live, { readonly: true });
    expect(
      reader.prepare("SELECT count(*) FROM logs WHERE ticket_id = 'LIVE'").pluck().get(),
    ).toBeGreaterThan(live1);
    reader.close();
  });

  it('replaces an earlier snapshot and reports progress', async () => {
    const work = fresh();
    writeFileSync(join(work, 'snapshot.sqlite'), 'stale');
    writeFileSync(join(work, 'snapshot.sqlite-wal'), 'stale');
    const phases: string[] = [];
    const { snapshotFile } = await preflight(legacy, work, {
      pagesPerStep: 8,
      onProgress: (p) => phases.push(p.phase),
    });
    expect(readdirSync(work).sort()).toEqual(['snapshot.sqlite']);
    expect(
      new Database(snapshotFile, { readonly: true })
        .prepare('SELECT count(*) FROM users')
        .pluck()
        .get(),
    ).toBe(28);
    expect(phases.filter((p) => p === 'snapshot').length).toBeGreaterThan(2);
    expect(phases.at(-1)).toBe('integrity');
  });

  it('stops when aborted, leaving no snapshot', async () => {
    const work = fresh();
    const controller = new AbortController();
    const pending = preflight(legacy, work, {
      signal: controller.signal,
      pagesPerStep: 1,
      onProgress: () => controller.abort(new Error('cancelled by test')),
    });
    await expect(pending).rejects.toThrow('cancelled by test');
    expect(readdirSync(work)).toEqual([]);
  });

  it('rolls back a hot journal left by a crashed writer — in a copy, never in the source', async () => {
    const dir = fresh();
    const crashed = join(dir, 'crashed.sqlite');
    copyFileSync(legacy, crashed);
    // A writer that changes every ticket, spills the change into the file (tiny cache), then dies mid-transaction.
    const child = await holder(
      `const db = new Database(${JSON.stringify(crashed)}); db.pragma('cache_size = 2'); db.exec('BEGIN');
       db.exec("UPDATE logs SET title = 'half-written'"); console.log('ready'); setInterval(() => {}, 1000);`,
    );
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(statSync(`${crashed}-journal`).size).toBeGreaterThan(0);
    const { snapshotFile, sourceInfo } = await preflight(crashed, join(dir, 'work'));
    expect(sourceInfo).toMatchObject({ openedVia: 'copy', hasJournal: true });
    expect(sourceInfo.warnings[0]).toMatch(/SQLITE_READONLY_ROLLBACK/);
    const snap = new Database(snapshotFile, { readonly: true });
    expect(
      snap.prepare("SELECT count(*) FROM logs WHERE title = 'half-written'").pluck().get(),
    ).toBe(0);
    expect(snap.prepare('SELECT count(*) FROM logs').pluck().get()).toBe(3008);
    snap.close();
    // The source and its journal are left exactly as the crash left them.
    expect(statSync(`${crashed}-journal`).size).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'work'))).toEqual(['snapshot.sqlite']);
  });

  it('copies a WAL database first when its directory is read-only (no -shm can be created)', async () => {
    const dir = fresh();
    // mkdtemp makes 0700 directories; the unprivileged user must be able to reach the file.
    chmodSync(root, 0o755);
    chmodSync(dir, 0o755);
    const src = join(dir, 'ro');
    mkdirSync(src);
    const g = generateLegacyDatabase(join(src, 'log.sqlite'), {
      users: 3,
      logs: 50,
      walRows: true,
    });
    const work = join(dir, 'work');
    mkdirSync(work);
    chmodSync(work, 0o777);
    chmodSync(g.file, 0o444);
    chmodSync(`${g.file}-wal`, 0o444);
    chmodSync(src, 0o555);
    try {
      const { snapshotFile, sourceInfo } = await asUnprivileged(() => preflight(g.file, work));
      expect(sourceInfo.openedVia).toBe('copy');
      expect(sourceInfo.warnings.join(' ')).toMatch(/copied into the work directory/);
      const snap = new Database(snapshotFile, { readonly: true });
      expect(
        snap.prepare("SELECT count(*) FROM logs WHERE ticket_id LIKE 'WAL-%'").pluck().get(),
      ).toBe(WAL_ONLY_LOGS);
      snap.close();
      expect(readdirSync(src).sort()).toEqual(['log.sqlite', 'log.sqlite-wal']);
      expect(readdirSync(work)).toEqual(['snapshot.sqlite']);
    } finally {
      chmodSync(src, 0o755);
    }
  });
});

/**
 * Runs `fn` without root's power to write anywhere: as root, with the
 * effective uid/gid of `nobody` (restored afterwards); otherwise as is
 * (chmod already binds an ordinary user).
 */
async function asUnprivileged<T>(fn: () => Promise<T>): Promise<T> {
  if (process.getuid?.() !== 0) return fn();
  process.setegid!(65534);
  process.seteuid!(65534);
  try {
    return await fn();
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
  }
}
