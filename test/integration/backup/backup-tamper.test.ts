/**
 * Crafted encrypted backups (issue 13, defect 4): KDF costs the product
 * never writes are refused before any key derivation, a cancel stops the
 * derivation at once, an encrypted manifest cannot be edited without the
 * passphrase, and an encrypted backup cannot be passed off as an
 * unencrypted one — neither by stripping the encryption fields nor by
 * swapping in other plaintext content.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { deriveKey } from '../../../main/core/backup/backup-crypto.js';
import {
  MANIFEST_FILE,
  parseManifest,
  sealManifest,
  type Manifest,
} from '../../../main/core/backup/manifest.js';
import { restoreBackup } from '../../../main/core/backup/restore-backup.js';
import { createBackup } from '../../../main/core/backup/run-backup.js';
import { verifyBackup } from '../../../main/core/backup/verify-backup.js';
import { TEST_KDF, fillSqlite, novaFailure, sqliteChecksums } from './helpers.js';
import { useTempDirs } from '../../support/temp-dirs.js';

const tempDir = useTempDirs('nova-backup-tamper-');
const PASS = 'correct horse battery';

async function encryptedBackup() {
  const root = await tempDir();
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir);
  const file = await fillSqlite(dataDir);
  const backupDir = path.join(dataDir, 'backups');
  const targets = { sqlite: { file } };
  const made = await createBackup({
    backupDir,
    dataDir,
    targets,
    passphrase: PASS,
    kdfCost: TEST_KDF,
  });
  return { root, dataDir, file, backupDir, targets, backup: made.path };
}

async function readManifest(backup: string): Promise<Manifest> {
  return parseManifest(await readFile(path.join(backup, MANIFEST_FILE), 'utf8'), 'test');
}

/** Rewrites the manifest as a forger would: any body, a recomputed checksum, the old MAC kept. */
async function forge(backup: string, edit: (m: Manifest) => Manifest): Promise<void> {
  const { checksum: _c, mac, ...body } = edit(await readManifest(backup));
  const resealed = sealManifest(body);
  await writeFile(
    path.join(backup, MANIFEST_FILE),
    JSON.stringify({ ...resealed, ...(mac ? { mac } : {}) }),
  );
}

describe('crafted encrypted backups', () => {
  it.each([
    ['p = 64 (minutes of CPU)', { p: 64 }],
    ['N = 2^17 (128 MiB per guess)', { N: 2 ** 17 }],
    ['r = 1 (weaker than ours)', { r: 1 }],
    ['N not a power of two', { N: 3000 }],
  ])('refuses KDF costs Nova never writes (%s) before deriving anything', async (_label, cost) => {
    const { backup, targets, file } = await encryptedBackup();
    await forge(backup, (m) => ({
      ...m,
      encryption: { ...m.encryption!, kdf: { ...m.encryption!.kdf, ...cost } },
    }));
    const before = sqliteChecksums(file);
    for (const work of [
      () => verifyBackup(backup, { passphrase: PASS }),
      () => restoreBackup(backup, { targets, confirm: true, passphrase: PASS }),
    ]) {
      const started = Date.now();
      const err = await novaFailure(work(), 'BACKUP_CORRUPT');
      expect(err.message).toMatch(/key-derivation costs Nova DB never uses/);
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    expect(sqliteChecksums(file)).toEqual(before);
  });

  it('stops a key derivation as soon as it is cancelled', async () => {
    const controller = new AbortController();
    const kdf = { name: 'scrypt' as const, N: 2 ** 16, r: 8, p: 1, keyLength: 32 as const };
    const started = Date.now();
    const work = deriveKey(PASS, { ...kdf, salt: 'AAAAAAAAAAAAAAAAAAAAAA==' }, controller.signal);
    setTimeout(() => controller.abort(), 1);
    await expect(work).rejects.toMatchObject({ code: 'TASK_CANCELLED' });
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('refuses an encrypted manifest edited without the passphrase (checksum recomputed)', async () => {
    const { backup, targets, file } = await encryptedBackup();
    await forge(backup, (m) => ({
      ...m,
      reason: 'scheduled',
      parts: m.parts.map((p) => ({ ...p, notes: ['all good, trust me'] })),
    }));
    const before = sqliteChecksums(file);
    const err = await novaFailure(verifyBackup(backup, { passphrase: PASS }), 'BACKUP_CORRUPT');
    expect(err.message).toMatch(/not authentic/);
    await novaFailure(
      restoreBackup(backup, { targets, confirm: true, passphrase: PASS }),
      'BACKUP_CORRUPT',
    );
    expect(sqliteChecksums(file)).toEqual(before);
  });

  it('names a backup whose encryption fields were stripped from the manifest', async () => {
    const { backup } = await encryptedBackup();
    await forge(backup, (m) => ({
      ...m,
      encryption: null,
      parts: m.parts.map((p) => ({ ...p, encryption: null })),
    }));
    const err = await novaFailure(verifyBackup(backup), 'BACKUP_CORRUPT');
    expect(err.message).toMatch(/it looks encrypted/);
  });

  it('refuses an encrypted backup passed off as unencrypted with other content swapped in', async () => {
    const { backup, dataDir, targets, file } = await encryptedBackup();
    // The forger's own (unencrypted) backup of other data…
    const other = await tempDir();
    const otherFile = await fillSqlite(other);
    const db = new Database(otherFile);
    db.exec("UPDATE users SET password_hash = 'forger-knows-this'");
    db.close();
    const theirs = await createBackup({
      backupDir: path.join(other, 'backups'),
      targets: { sqlite: { file: otherFile } },
    });
    // …copied over ours under our backup's id and name.
    const ours = await readManifest(backup);
    await copyFile(path.join(theirs.path, 'sqlite.db.gz'), path.join(backup, 'sqlite.db.gz'));
    const { checksum: _c, mac: _m, ...body } = await readManifest(theirs.path);
    await writeFile(
      path.join(backup, MANIFEST_FILE),
      JSON.stringify(sealManifest({ ...body, id: ours.id, name: ours.name })),
    );
    const before = sqliteChecksums(file);
    const err = await novaFailure(
      restoreBackup(backup, { targets, confirm: true, dataDir }),
      'BACKUP_CORRUPT',
    );
    expect(err.message).toMatch(/made encrypted by this Nova DB/);
    await novaFailure(verifyBackup(backup, { dataDir }), 'BACKUP_CORRUPT');
    expect(sqliteChecksums(file)).toEqual(before);
  });
});
