/**
 * The backup folder's lock (backup-lock.ts) against what a crash or another
 * program leaves: a lock of a process that is gone is taken over; one of a
 * live process (pid 1 here) refuses with BACKUP_RUNNING naming it; a lock
 * file being written this instant (empty, fresh) is respected; the lock is
 * created private and gone after the run.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, acquireBackupLock } from '../../../main/core/backup/backup-lock.js';
import { runCli } from '../../../main/cli/run.js';
import { createBackup } from '../../../main/core/backup/run-backup.js';
import { fillSqlite, novaFailure } from './helpers.js';
import { useTempDirs } from '../../support/temp-dirs.js';

const tempDir = useTempDirs('nova-backup-lock-');

async function setup() {
  const root = await tempDir();
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir);
  const file = await fillSqlite(dataDir);
  const backupDir = path.join(dataDir, 'backups');
  await mkdir(backupDir, { mode: 0o700 });
  return { backupDir, targets: { sqlite: { file } } };
}

const owner = (pid: number) =>
  JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString() });

describe('the backup lock', () => {
  it('takes over the lock of a process that is gone', async () => {
    const { backupDir, targets } = await setup();
    await writeFile(path.join(backupDir, LOCK_FILE), owner(2 ** 22 + 12345), { mode: 0o600 });
    const made = await createBackup({ backupDir, targets });
    expect(made.name).toBeTruthy();
    expect(await readdir(backupDir)).toEqual([made.name]);
  });

  it('refuses while a live process holds it, naming the process', async () => {
    const { backupDir, targets } = await setup();
    await writeFile(path.join(backupDir, LOCK_FILE), owner(1), { mode: 0o600 });
    const err = await novaFailure(createBackup({ backupDir, targets }), 'BACKUP_RUNNING');
    expect(err.message).toMatch(/already running \(process 1, since /);
    expect(err.fix).toMatch(/Wait for it to finish/);
  });

  it('respects a lock being written this instant (empty and fresh)', async () => {
    const { backupDir, targets } = await setup();
    await writeFile(path.join(backupDir, LOCK_FILE), '', { mode: 0o600 });
    await novaFailure(createBackup({ backupDir, targets }), 'BACKUP_RUNNING');
  });

  it('is private while held and gone afterwards', async () => {
    const { backupDir, targets } = await setup();
    const release = await acquireBackupLock(backupDir);
    expect((await stat(path.join(backupDir, LOCK_FILE))).mode & 0o777).toBe(0o600);
    // Held by this very process: a second run here is refused too.
    await novaFailure(createBackup({ backupDir, targets }), 'BACKUP_RUNNING');
    await release();
    await createBackup({ backupDir, targets });
    expect((await readdir(backupDir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('backups --prune waits its turn: refused while a backup holds the lock', async () => {
    const { backupDir, targets } = await setup();
    await createBackup({ backupDir, targets });
    const dataDir = path.dirname(backupDir);
    const release = await acquireBackupLock(backupDir);
    let stderr = '';
    const code = await runCli(['--data-dir', dataDir, 'backups', '--prune'], {
      stdout: () => undefined,
      stderr: (s) => void (stderr += s),
      env: { NOVA_PROFILE: 'embedded', NOVA_LOG_LEVEL: 'error' },
      cwd: dataDir,
      onShutdown: () => ({ stopped: new Promise(() => undefined), dispose: () => undefined }),
    });
    await release();
    expect(code).toBe(1);
    expect(stderr).toMatch(/A backup into .* is already running/);
    expect(stderr).toMatch(/\nfix: /);
  });
});
