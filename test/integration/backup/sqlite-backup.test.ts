/**
 * Backups of the embedded profile against real SQLite files: round trip
 * (with and without encryption), damage and wrong passphrases detected by
 * verify and refused by restore with the target untouched, confirmation,
 * a database in use, interrupted and cancelled backups never listed as good.
 */
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile, mkdir, readdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  cleanStalePartials,
  listBackups,
  readBackup,
} from '../../../main/core/backup/backup-store.js';
import { MANIFEST_FILE, parseManifest, sealManifest } from '../../../main/core/backup/manifest.js';
import { restoreBackup } from '../../../main/core/backup/restore-backup.js';
import { createBackup } from '../../../main/core/backup/run-backup.js';
import { verifyBackup } from '../../../main/core/backup/verify-backup.js';
import { TaskRegistry } from '../../../main/core/tasks/task.js';
import { TEST_KDF, fillSqlite, flipByte, novaFailure, sqliteChecksums } from './helpers.js';
import { useTempDirs } from '../../support/temp-dirs.js';

const tempDir = useTempDirs('nova-backup-test-');

async function setup() {
  const root = await tempDir();
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir);
  const file = await fillSqlite(dataDir);
  return { root, file, backupDir: path.join(root, 'backups'), targets: { sqlite: { file } } };
}

describe('SQLite backup and restore', () => {
  it('round-trips: back up, wipe, restore gives the same content', async () => {
    const { file, backupDir, targets } = await setup();
    const before = sqliteChecksums(file);
    expect(before.find((t) => t.name === 'users')?.rows).toBe(50);

    const summary = await createBackup({ backupDir, targets });
    expect(summary.parts).toHaveLength(1);
    expect(summary.parts[0]).toMatchObject({ name: 'sqlite.db.gz', service: 'sqlite' });
    const { backups, partials } = await listBackups(backupDir);
    expect(backups.map((b) => b.name)).toEqual([summary.name]);
    expect(partials).toEqual([]);
    expect(backups[0]!.manifest.parts[0]!.tables).toEqual(before);
    // Only the part and the manifest, readable by the owner alone (docs/ARCHITECTURE.md#security).
    expect((await readdir(summary.path)).sort()).toEqual(['manifest.json', 'sqlite.db.gz']);
    for (const f of ['manifest.json', 'sqlite.db.gz'])
      expect(statSync(path.join(summary.path, f)).mode & 0o777).toBe(0o600);
    expect(statSync(summary.path).mode & 0o777).toBe(0o700);

    await rm(file);
    await rm(`${file}-wal`, { force: true });
    await rm(`${file}-shm`, { force: true });
    const result = await restoreBackup(summary.path, { targets, confirm: true });
    expect(result.restored[0]).toMatchObject({
      service: 'sqlite',
      rows: before.reduce((s, t) => s + t.rows, 0),
    });
    expect(sqliteChecksums(file)).toEqual(before);
    // The restored file is a working Nova database again.
    const db = new Database(file);
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    db.close();
  });

  it('restores over a changed database and leaves no temporary files behind', async () => {
    const { file, backupDir, targets } = await setup();
    const before = sqliteChecksums(file);
    const { path: backup } = await createBackup({ backupDir, targets });
    const db = new Database(file);
    db.exec(
      "DELETE FROM users; CREATE TABLE added_later (x); INSERT INTO odd VALUES ('new', 0, 0, NULL)",
    );
    db.close();
    expect(sqliteChecksums(file)).not.toEqual(before);
    await restoreBackup(backup, { targets, confirm: true });
    expect(sqliteChecksums(file)).toEqual(before);
    expect((await readdir(path.dirname(file))).filter((n) => n.includes('.restore-'))).toEqual([]);
  });

  it('encrypts with a passphrase; verify and restore need the right one', async () => {
    const { file, backupDir, targets } = await setup();
    const before = sqliteChecksums(file);
    const summary = await createBackup({
      backupDir,
      targets,
      passphrase: 'correct horse battery',
      kdfCost: TEST_KDF,
    });
    expect(summary.encrypted).toBe(true);
    const { manifest } = await readBackup(summary.path);
    expect(manifest.encryption).toMatchObject({
      cipher: 'aes-256-gcm',
      kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 },
    });
    expect(JSON.stringify(manifest)).not.toContain('correct horse');
    // The stored bytes are not a gzip stream any more (no 1f 8b magic).
    const stored = await readFile(path.join(summary.path, 'sqlite.db.gz'));
    expect(stored.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);

    const wrong = await novaFailure(
      verifyBackup(summary.path, { passphrase: 'wrong horse battery' }),
      'BACKUP_PASSPHRASE',
    );
    expect(wrong.message).toMatch(/passphrase is wrong/);
    await novaFailure(verifyBackup(summary.path, {}), 'BACKUP_PASSPHRASE');

    const db = new Database(file);
    db.exec('DELETE FROM odd');
    db.close();
    const changed = sqliteChecksums(file);
    await novaFailure(
      restoreBackup(summary.path, { targets, confirm: true, passphrase: 'wrong horse battery' }),
      'BACKUP_PASSPHRASE',
    );
    expect(sqliteChecksums(file)).toEqual(changed);

    const verified = await verifyBackup(summary.path, { passphrase: 'correct horse battery' });
    expect(verified).toMatchObject({ ok: true, encrypted: true, trialRestored: true });
    expect((await listBackups(backupDir)).backups[0]!.verified).not.toBeNull();
    await restoreBackup(summary.path, {
      targets,
      confirm: true,
      passphrase: 'correct horse battery',
    });
    expect(sqliteChecksums(file)).toEqual(before);
  });

  it('refuses a passphrase too short to protect a backup', async () => {
    const { backupDir, targets } = await setup();
    const err = await novaFailure(
      createBackup({ backupDir, targets, passphrase: 'short' }),
      'BACKUP_PASSPHRASE',
    );
    expect(err.message).toMatch(/too short/);
    expect(existsSync(backupDir) ? (await listBackups(backupDir)).backups : []).toEqual([]);
  });

  it('detects one flipped byte: verify fails, restore refuses, the target is unchanged', async () => {
    const { file, backupDir, targets } = await setup();
    const { path: backup } = await createBackup({ backupDir, targets });
    await verifyBackup(backup);
    flipByte(path.join(backup, 'sqlite.db.gz'));
    const err = await novaFailure(verifyBackup(backup), 'BACKUP_CORRUPT');
    expect(err.message).toMatch(/sqlite\.db\.gz is damaged \(its sha256 does not match/);

    const db = new Database(file);
    db.exec('DELETE FROM users WHERE id > 10');
    db.close();
    const current = sqliteChecksums(file);
    await novaFailure(restoreBackup(backup, { targets, confirm: true }), 'BACKUP_CORRUPT');
    expect(sqliteChecksums(file)).toEqual(current);
  });

  it('catches tampering that also rewrites the checksums, through the GCM tag', async () => {
    const { backupDir, targets } = await setup();
    const { path: backup } = await createBackup({
      backupDir,
      targets,
      passphrase: 'correct horse battery',
      kdfCost: TEST_KDF,
    });
    const part = path.join(backup, 'sqlite.db.gz');
    flipByte(part);
    // A forger who recomputes sha256 and the manifest's own checksum…
    const manifest = parseManifest(
      await readFile(path.join(backup, MANIFEST_FILE), 'utf8'),
      'test',
    );
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256')
      .update(await readFile(part))
      .digest('hex');
    const { checksum: _c, ...body } = manifest;
    const forged = sealManifest({ ...body, parts: [{ ...body.parts[0]!, sha256 }] });
    await writeFile(path.join(backup, MANIFEST_FILE), JSON.stringify(forged));
    // …still cannot produce a valid authentication tag.
    const err = await novaFailure(
      verifyBackup(backup, { passphrase: 'correct horse battery' }),
      'BACKUP_CORRUPT',
    );
    expect(err.message).toMatch(/encryption tag|does not decompress|authentication code/);
  });

  it('refuses a damaged manifest and does not list it as a backup', async () => {
    const { backupDir, targets } = await setup();
    const { path: backup, name } = await createBackup({ backupDir, targets });
    const manifestFile = path.join(backup, MANIFEST_FILE);
    const text = await readFile(manifestFile, 'utf8');
    await writeFile(
      manifestFile,
      text.replace(/"rows": (\d+)/, (_m, n: string) => `"rows": ${Number(n) + 1}`),
    );
    const err = await novaFailure(verifyBackup(backup), 'BACKUP_CORRUPT');
    expect(err.message).toMatch(/changed after the backup was written/);
    const listing = await listBackups(backupDir);
    expect(listing.backups).toEqual([]);
    expect(listing.invalid.map((i) => i.name)).toEqual([name]);
  });

  it('refuses to restore without confirmation and names the flag', async () => {
    const { file, backupDir, targets } = await setup();
    const { path: backup } = await createBackup({ backupDir, targets });
    const before = sqliteChecksums(file);
    const err = await novaFailure(
      restoreBackup(backup, { targets, confirm: false }),
      'CONFIRMATION_REQUIRED',
    );
    expect(err.fix).toContain('--yes');
    expect(sqliteChecksums(file)).toEqual(before);
  });

  it('refuses to replace a database another connection has open', async () => {
    const { file, backupDir, targets } = await setup();
    const { path: backup } = await createBackup({ backupDir, targets });
    const holder = new Database(file);
    holder.pragma('journal_mode = WAL');
    holder.exec('DELETE FROM odd');
    try {
      const err = await novaFailure(restoreBackup(backup, { targets, confirm: true }), 'DB_LOCKED');
      expect(err.fix).toMatch(/Stop Nova/);
      expect(holder.prepare('SELECT count(*) FROM odd').pluck().get()).toBe(0);
    } finally {
      holder.close();
    }
  });

  it('refuses a backup whose service is not configured, and a path that is not a backup', async () => {
    const { backupDir, targets, root } = await setup();
    const { path: backup } = await createBackup({ backupDir, targets });
    const err = await novaFailure(
      restoreBackup(backup, {
        targets: { postgres: { url: 'postgres://x@127.0.0.1:1/x' } },
        confirm: true,
      }),
      'INVALID_ARGUMENT',
    );
    expect(err.message).toMatch(/holds SQLite data .* no SQLite is configured/);
    await novaFailure(verifyBackup(path.join(root, 'nope')), 'BACKUP_NOT_FOUND');
    await novaFailure(createBackup({ backupDir, targets: {} }), 'INVALID_ARGUMENT');
    await novaFailure(
      createBackup({ backupDir, targets: { sqlite: { file: path.join(root, 'missing.sqlite') } } }),
      'DB_MISSING',
    );
  });

  it('never lists an interrupted backup as good, and cleans it once its writer is gone', async () => {
    const { backupDir, targets } = await setup();
    await createBackup({ backupDir, targets });
    // A writer that died: its pid no longer exists.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const partial = path.join(backupDir, '.20240101T000000Z-deadbeef.partial');
    await mkdir(partial);
    await writeFile(
      path.join(partial, 'owner.json'),
      JSON.stringify({
        pid: Number(dead.stdout),
        host: (await import('node:os')).hostname(),
        startedAt: new Date().toISOString(),
      }),
    );
    await writeFile(path.join(partial, 'sqlite.db.gz'), 'half written');
    // A live writer (this process) is not stale.
    const live = path.join(backupDir, '.20240101T000001Z-cafebabe.partial');
    await mkdir(live);
    await writeFile(
      path.join(live, 'owner.json'),
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        startedAt: new Date().toISOString(),
      }),
    );

    const listing = await listBackups(backupDir);
    expect(listing.backups).toHaveLength(1);
    expect(listing.partials.map((p) => [p.name, p.stale])).toEqual([
      ['20240101T000000Z-deadbeef', true],
      ['20240101T000001Z-cafebabe', false],
    ]);
    expect(await cleanStalePartials(backupDir)).toEqual(['.20240101T000000Z-deadbeef.partial']);
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('runs as a Task with progress, and a cancelled backup leaves nothing behind', async () => {
    const { backupDir, targets } = await setup();
    const registry = new TaskRegistry();
    const phases: string[] = [];
    const ok = registry.run('backup', 'Backup', (ctx) => createBackup({ backupDir, targets }, ctx));
    ok.on('progress', (s) => phases.push(s.progress.phase));
    await ok.start();
    expect(ok.snapshot().state).toBe('succeeded');
    expect(phases).toContain('finalize');

    const cancelled = registry.run('backup', 'Backup', (ctx) =>
      createBackup({ backupDir, targets }, ctx),
    );
    cancelled.cancel();
    await novaFailure(cancelled.start(), 'TASK_CANCELLED');
    expect(cancelled.snapshot().state).toBe('cancelled');
    const listing = await listBackups(backupDir);
    expect(listing.backups).toHaveLength(1);
    expect(listing.partials).toEqual([]);
  });
});
