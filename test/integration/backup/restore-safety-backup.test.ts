/**
 * `restore --yes` keeps what it replaces (issue 13): before anything is
 * replaced, the current contents are backed up into the backup folder
 * (reason "pre-restore") and the path is printed; restoring that backup
 * brings them back. `--no-safety-backup` skips it; a safety backup that
 * fails stops the restore before anything is touched. Real SQLite, the CLI
 * in-process.
 */
import { writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../support/run-cli-captured.js';
import { listBackups } from '../../../main/core/backup/backup-store.js';
import { embeddedDataDir, sqliteChecksums } from './helpers.js';
import { useTempDirs } from '../../support/temp-dirs.js';

const tempDir = useTempDirs('nova-restore-safety-');

const setup = async () => embeddedDataDir(await tempDir());

function cli(root: string, args: string[], env: Record<string, string> = {}) {
  return runCliCaptured(args, {
    env: { NOVA_PROFILE: 'embedded', NOVA_LOG_LEVEL: 'warn', ...env },
    cwd: root,
  });
}

function addMarker(file: string): void {
  const db = new Database(file);
  db.exec(
    "CREATE TABLE written_after_backup (v TEXT); INSERT INTO written_after_backup VALUES ('keep me')",
  );
  db.close();
}

describe('restore --yes and the safety backup', () => {
  it('backs up what it replaces first, says where, and that backup brings it back', async () => {
    const { root, dataDir, file, backupDir } = await setup();
    const made = await cli(root, ['--data-dir', dataDir, '--json', 'backup']);
    expect(made.code, made.stderr).toBe(0);
    const original = (JSON.parse(made.stdout) as { name: string }).name;
    addMarker(file);
    const changed = sqliteChecksums(file);

    const restored = await cli(root, ['--data-dir', dataDir, 'restore', original, '--yes']);
    expect(restored.code, restored.stderr).toBe(0);
    const m = /The contents it replaced were backed up first to (\S+)/.exec(restored.stdout);
    expect(m, restored.stdout).not.toBeNull();
    const safety = m![1]!;
    expect(path.dirname(safety)).toBe(backupDir);
    expect(statSync(safety).mode & 0o777).toBe(0o700);
    expect(sqliteChecksums(file).some((t) => t.name === 'written_after_backup')).toBe(false);
    const listing = await listBackups(backupDir);
    expect(listing.backups.find((b) => b.path === safety)?.manifest.reason).toBe('pre-restore');

    // The safety backup holds exactly what was replaced.
    const back = await cli(root, [
      '--data-dir',
      dataDir,
      'restore',
      safety,
      '--yes',
      '--no-safety-backup',
    ]);
    expect(back.code, back.stderr).toBe(0);
    expect(sqliteChecksums(file)).toEqual(changed);
  });

  it('--no-safety-backup makes none, and --json carries the path otherwise', async () => {
    const { root, dataDir, backupDir } = await setup();
    const made = await cli(root, ['--data-dir', dataDir, '--json', 'backup']);
    const name = (JSON.parse(made.stdout) as { name: string }).name;
    const skip = await cli(root, [
      '--data-dir',
      dataDir,
      'restore',
      name,
      '--yes',
      '--no-safety-backup',
    ]);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stdout).not.toMatch(/backed up first/);
    expect((await listBackups(backupDir)).backups).toHaveLength(1);
    const json = await cli(root, ['--data-dir', dataDir, '--json', 'restore', name, '--yes']);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as { safetyBackup: { path: string } | null };
    expect(result.safetyBackup?.path).toMatch(new RegExp(`^${backupDir}/`));
    expect((await listBackups(backupDir)).backups).toHaveLength(2);
  });

  it('a safety backup that cannot be written stops the restore before anything changes', async () => {
    const { root, dataDir, file, backupDir } = await setup();
    const made = await cli(root, ['--data-dir', dataDir, '--json', 'backup']);
    const backupPath = (JSON.parse(made.stdout) as { path: string }).path;
    addMarker(file);
    const before = sqliteChecksums(file);
    // The backup folder named by the configuration is a plain file: nothing can be written there.
    const blocked = path.join(root, 'not-a-folder');
    await writeFile(blocked, 'x');
    const r = await cli(root, ['--data-dir', dataDir, 'restore', backupPath, '--yes'], {
      NOVA_BACKUP_DIR: blocked,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Nothing was restored: the safety backup of the current contents failed/,
    );
    expect(r.stderr).toMatch(/\nfix: /);
    expect(sqliteChecksums(file)).toEqual(before);
    expect((await listBackups(backupDir)).backups).toHaveLength(1);
  });
});
